namespace Testing;

/// <summary>
/// The same fakes through the application's own container registration, the way its Program.cs wires things:
/// <c>AddModelRegistry()</c> keeps the in-memory store, and the test swaps in the fake clock and actor.
/// </summary>
public sealed class HostWiringTests
{
    [Fact]
    public async Task The_service_resolved_from_the_container_promotes_with_the_fake_clock_and_in_memory_store()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var actor = new TestActor();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);           // the registry registers TimeProvider.System with TryAdd: ours wins
        services.AddSingleton<IActorAccessor>(actor);
        services.AddModelRegistry().ConfigureCompliance(ModelPromotionServiceTests.Governance);
        services.AddSingleton<ModelPromotionService>();      // the application's own registration
        await using var provider = services.BuildServiceProvider();

        var registry = provider.GetRequiredService<IModelRegistry>();
        var compliance = provider.GetRequiredService<IComplianceManager>();
        await registry.RegisterModelAsync(new RegisterModelRequest { Name = "ranker", Owners = ["search-team"] });
        var version = await registry.CreateVersionAsync("ranker", new CreateVersionRequest { SourceCommit = "77aa001" });
        await registry.TransitionStageAsync("ranker", "1.0.0", ModelStage.Staging);
        var request = await compliance.RequestApprovalAsync("ranker", "1.0.0", ModelStage.Production, "offline NDCG +4%");
        actor.CurrentActor = "reviewer";
        await compliance.ReviewAsync(request.Id, ReviewDecision.Approve);

        var outcome = await provider.GetRequiredService<ModelPromotionService>().PromoteToProductionAsync("ranker", "1.0.0");

        outcome.Status.Should().Be(PromotionStatus.Promoted);
        var promoted = await registry.GetVersionAsync("ranker", "1.0.0");
        promoted.Stage.Should().Be(ModelStage.Production);
        promoted.StageChangedAt.Should().Be(time.GetUtcNow(), "the registry stamps changes with the injected clock");
        version.CreatedAt.Should().Be(time.GetUtcNow());
    }
}
