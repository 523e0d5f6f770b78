namespace Testing;

/// <summary>
/// Unit tests of the application's <see cref="ModelPromotionService"/> against the real registry with its in-memory store
/// (the default: nothing to set up or clean up) and a <see cref="FakeTimeProvider"/> that moves time on demand, so an
/// approval's 7-day validity runs out in a microsecond and no test ever sleeps.
/// </summary>
public sealed class ModelPromotionServiceTests : IAsyncDisposable
{
    private const string Model = "churn-predictor";
    private const string Version = "1.0.0";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly TestActor _actor = new();
    private readonly ModelRegistryServices _registry;
    private readonly ModelPromotionService _service;

    public ModelPromotionServiceTests()
    {
        // One line builds the whole registry in memory; the fake clock and the switchable actor replace the defaults.
        _registry = ModelRegistryServices.Create(
            b => b.ConfigureCompliance(Governance).Services.AddSingleton<IActorAccessor>(_actor),
            timeProvider: _time);
        _service = new ModelPromotionService(_registry.Registry, _registry.Compliance, _time);
    }

    /// <summary>
    /// The rules these tests are about: a production approval, valid for 7 days. The built-in checks (documentation,
    /// artifacts, fairness, ...) are turned off because this application's tests are not about them.
    /// </summary>
    internal static void Governance(ComplianceOptions o)
    {
        o.ApprovalValidity = TimeSpan.FromDays(7);
        o.DisabledChecks =
        [
            BuiltInChecks.EuAiAct, BuiltInChecks.Gdpr, BuiltInChecks.Fairness, BuiltInChecks.Bias,
            BuiltInChecks.Security, BuiltInChecks.EvaluationThresholds, BuiltInChecks.Documentation,
        ];
    }

    [Fact]
    public async Task Promotes_an_approved_staging_version_to_production()
    {
        await StagingVersionWithProductionRequestAsync(approve: true);

        var outcome = await _service.PromoteToProductionAsync(Model, Version);

        outcome.Status.Should().Be(PromotionStatus.Promoted);
        (await _registry.Registry.GetVersionAsync(Model, Version)).Stage.Should().Be(ModelStage.Production);
    }

    [Fact]
    public async Task Waits_while_the_request_is_pending_and_changes_nothing()
    {
        await StagingVersionWithProductionRequestAsync(approve: false);

        var outcome = await _service.PromoteToProductionAsync(Model, Version);

        outcome.Status.Should().Be(PromotionStatus.AwaitingApproval);
        (await _registry.Registry.GetVersionAsync(Model, Version)).Stage.Should().Be(ModelStage.Staging);
    }

    [Fact]
    public async Task An_approval_that_ran_out_is_reported_and_the_version_stays_in_staging()
    {
        await StagingVersionWithProductionRequestAsync(approve: true);

        _time.Advance(TimeSpan.FromDays(8));  // the 7-day validity ends; no test waits for it
        var outcome = await _service.PromoteToProductionAsync(Model, Version);

        outcome.Status.Should().Be(PromotionStatus.ApprovalExpired);
        outcome.Message.Should().Contain("2026-03-09");
        (await _registry.Registry.GetVersionAsync(Model, Version)).Stage.Should().Be(ModelStage.Staging);
    }

    [Fact]
    public async Task Warns_about_an_approval_only_once_it_expires_within_three_days()
    {
        await StagingVersionWithProductionRequestAsync(approve: true);

        _time.Advance(TimeSpan.FromDays(3));
        (await _service.ApprovalsExpiringSoonAsync(Model, Version)).Should().BeEmpty("four days are left");

        _time.Advance(TimeSpan.FromDays(2));
        (await _service.ApprovalsExpiringSoonAsync(Model, Version)).Should().ContainSingle()
            .Which.ExpiresAt.Should().Be(new DateTimeOffset(2026, 3, 9, 9, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task The_registry_refuses_production_without_approval_even_when_the_app_forgets_to_ask()
    {
        await _registry.Registry.RegisterModelAsync(new RegisterModelRequest { Name = Model, Owners = ["growth-team"] });
        await _registry.Registry.CreateVersionAsync(Model, new CreateVersionRequest { SourceCommit = "4be1f00" });
        await _registry.Registry.TransitionStageAsync(Model, Version, ModelStage.Staging);

        var promote = () => _registry.Registry.TransitionStageAsync(Model, Version, ModelStage.Production);

        (await promote.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.PolicyViolation);
        (await _registry.Registry.GetVersionAsync(Model, Version)).Stage.Should().Be(ModelStage.Staging);
    }

    /// <summary>Registers the model, moves 1.0.0 to staging, requests production as the data scientist and, when asked, approves as a reviewer.</summary>
    private async Task StagingVersionWithProductionRequestAsync(bool approve)
    {
        var registry = _registry.Registry;
        _actor.CurrentActor = "data-scientist";
        await registry.RegisterModelAsync(new RegisterModelRequest { Name = Model, Owners = ["growth-team"], RiskTier = RiskTier.Minimal });
        await registry.CreateVersionAsync(Model, new CreateVersionRequest { SourceCommit = "4be1f00" });
        await registry.TransitionStageAsync(Model, Version, ModelStage.Staging);
        var request = await _registry.Compliance.RequestApprovalAsync(Model, Version, ModelStage.Production, "AUC 0.91 on the March holdout");

        if (approve)
        {
            _actor.CurrentActor = "reviewer";  // separation of duties: never the requester
            await _registry.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve, "numbers checked");
            _actor.CurrentActor = "release-bot";
        }
    }

    public ValueTask DisposeAsync() => _registry.DisposeAsync();
}
