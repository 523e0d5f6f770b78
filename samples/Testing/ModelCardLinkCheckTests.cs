namespace Testing;

/// <summary>The custom check of docs/custom-compliance-check.md, registered with <c>AddComplianceCheck</c> and run for real.</summary>
public sealed class ModelCardLinkCheckTests : IAsyncDisposable
{
    private readonly TestActor _actor = new();
    private readonly ModelRegistryServices _registry;

    public ModelCardLinkCheckTests()
    {
        _registry = ModelRegistryServices.Create(
            b => b.AddComplianceCheck<ModelCardLinkCheck>()
                  .ConfigureCompliance(ModelPromotionServiceTests.Governance)
                  .Services.AddSingleton<IActorAccessor>(_actor),
            timeProvider: new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData(null, ComplianceOutcome.Fail, "model_card.link_missing")]
    [InlineData("http://wiki.example/cards/churn", ComplianceOutcome.Fail, "model_card.link_not_https")]
    [InlineData("https://wiki.example/cards/churn", ComplianceOutcome.Pass, null)]
    public async Task The_check_reads_the_link_from_the_version_tags(string? link, ComplianceOutcome expected, string? code)
    {
        await RegisterAsync(link);

        var report = await _registry.Compliance.EvaluateAsync("churn", "1.0.0", ModelStage.Production);

        var result = report.Results.Should().ContainSingle(r => r.CheckName == ModelCardLinkCheck.CheckName).Subject;
        result.Outcome.Should().Be(expected);
        result.Evidence.Should().ContainSingle().Which.Value.Should().Be(link);
        if (code is not null)
        {
            result.Findings.Should().Contain(f => f.Code == code);
        }
    }

    [Fact]
    public async Task The_check_does_not_apply_on_the_way_to_staging()
    {
        await RegisterAsync(link: null);

        var report = await _registry.Compliance.EvaluateAsync("churn", "1.0.0", ModelStage.Staging);

        report.Results.Single(r => r.CheckName == ModelCardLinkCheck.CheckName).Outcome.Should().Be(ComplianceOutcome.NotApplicable);
    }

    [Fact]
    public async Task A_failing_check_blocks_approval_and_the_request_stays_pending()
    {
        await RegisterAsync(link: null);
        var request = await _registry.Compliance.RequestApprovalAsync("churn", "1.0.0", ModelStage.Production, "ready");
        request.Checks.FailedChecks.Should().Equal(ModelCardLinkCheck.CheckName);

        _actor.CurrentActor = "reviewer";
        var approve = () => _registry.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve);

        (await approve.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.PolicyViolation);
        (await _registry.Compliance.GetApprovalAsync(request.Id)).State.Should().Be(ApprovalState.Pending);
    }

    private async Task RegisterAsync(string? link)
    {
        await _registry.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "churn", Owners = ["growth-team"] });
        await _registry.Registry.CreateVersionAsync("churn", new CreateVersionRequest
        {
            SourceCommit = "4be1f00",
            Tags = link is null ? null : new Dictionary<string, string> { [ModelCardLinkCheck.Field] = link },
        });
        await _registry.Registry.TransitionStageAsync("churn", "1.0.0", ModelStage.Staging);
    }

    public ValueTask DisposeAsync() => _registry.DisposeAsync();
}
