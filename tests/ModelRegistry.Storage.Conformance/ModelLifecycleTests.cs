using ModelRegistry.Registry;

namespace ModelRegistry.Storage.Conformance;

/// <summary>Models, versions, stages, aliases, tags, bindings, retention and statistics through the registry, on the adapter's store.</summary>
/// <typeparam name="TFixture">The adapter's fixture.</typeparam>
public abstract class ModelLifecycleTests<TFixture> : ConformanceTestBase<TFixture>
    where TFixture : IStoreFixture, new()
{
    [Fact]
    public virtual async Task Registered_model_reads_back_with_every_field()
    {
        var created = await Registry.RegisterModelAsync(new RegisterModelRequest
        {
            Name = "Fraud-Detector",
            Description = "Scores card transactions — ünïcødé 🚀",
            Owners = ["alice", "risk-team"],
            RiskTier = RiskTier.High,
            Task = "classification",
            Framework = "xgboost",
            Provider = "SelfHosted",
            Tags = new Dictionary<string, string> { ["team"] = "risk", ["empty"] = string.Empty },
        }, Ct);

        var read = await Registry.GetModelAsync("fraud-detector", Ct);
        read.Should().BeEquivalentTo(created);
        read.Name.Should().Be("Fraud-Detector", "names are kept as typed");
        read.Revision.Should().Be(1);
        read.CreatedAt.Should().Be(Time.GetUtcNow());
        read.CreatedBy.Should().Be("alice");
    }

    [Fact]
    public virtual async Task Model_names_are_unique_ignoring_case_and_the_refusal_changes_nothing()
    {
        await RegisterAsync("fraud-detector");
        var before = await SnapshotAsync();
        await ShouldFailAsync(() => RegisterAsync("FRAUD-DETECTOR"), ErrorCode.AlreadyExists);
        await ShouldBeUnchangedAsync(before);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has/slash")]
    [InlineData("has space")]
    [InlineData("ünicode")]
    [InlineData("x;DROP TABLE models")]
    public virtual async Task Invalid_model_names_are_refused_and_change_nothing(string name)
    {
        var before = await SnapshotAsync();
        await ShouldFailAsync(() => RegisterAsync(name), ErrorCode.InvalidArgument);
        await ShouldBeUnchangedAsync(before);
    }

    [Fact]
    public virtual async Task A_model_needs_an_owner_and_a_129_character_name_is_too_long()
    {
        var before = await SnapshotAsync();
        await ShouldFailAsync(() => Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m", Owners = [] }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => RegisterAsync(new string('a', 129)), ErrorCode.InvalidArgument);
        await RegisterAsync(new string('a', 128));
        (await SnapshotAsync()).Models.Should().HaveCount(before.Models.Count + 1);
    }

    [Fact]
    public virtual async Task Update_with_a_stale_revision_is_a_conflict_and_changes_nothing()
    {
        var model = await RegisterAsync("m1");
        await Registry.UpdateModelAsync("m1", new ModelUpdate { Description = "first", ExpectedRevision = model.Revision }, Ct);
        var before = await SnapshotAsync();
        await ShouldFailAsync(() => Registry.UpdateModelAsync("m1", new ModelUpdate { Description = "second", ExpectedRevision = model.Revision }, Ct), ErrorCode.ConcurrencyConflict);
        await ShouldBeUnchangedAsync(before);
        (await Registry.GetModelAsync("m1", Ct)).Description.Should().Be("first");
    }

    [Fact]
    public virtual async Task Update_changes_only_given_fields_and_bumps_revision()
    {
        await RegisterAsync("m1", RiskTier.Limited);
        Time.Advance(TimeSpan.FromMinutes(5));
        var updated = await Registry.UpdateModelAsync("m1", new ModelUpdate { Owners = ["bob"], Task = "ranking" }, Ct);
        updated.Revision.Should().Be(2);
        updated.Owners.Should().Equal("bob");
        updated.RiskTier.Should().Be(RiskTier.Limited);
        updated.UpdatedAt.Should().Be(Time.GetUtcNow());
        (await Registry.GetModelAsync("m1", Ct)).Should().BeEquivalentTo(updated);
    }

    [Fact]
    public virtual async Task Deprecate_with_replacement_and_undeprecate()
    {
        await RegisterAsync("old");
        await RegisterAsync("new");
        var deprecated = await Registry.DeprecateModelAsync("old", "superseded", "NEW", Ct);
        deprecated.Status.Should().Be(ModelStatus.Deprecated);
        deprecated.ReplacedBy.Should().Be("new");
        await ShouldFailAsync(() => Registry.DeprecateModelAsync("old", "again", null, Ct), ErrorCode.InvalidTransition);
        var before = await SnapshotAsync();
        await ShouldFailAsync(() => Registry.DeprecateModelAsync("new", "x", "missing", Ct), ErrorCode.NotFound);
        await ShouldFailAsync(() => Registry.DeprecateModelAsync("new", "x", "new", Ct), ErrorCode.InvalidArgument);
        await ShouldBeUnchangedAsync(before);
        var active = await Registry.UndeprecateModelAsync("old", Ct);
        active.Status.Should().Be(ModelStatus.Active);
        active.ReplacedBy.Should().BeNull();
    }

    [Fact]
    public virtual async Task Delete_is_refused_while_a_version_serves_and_then_removes_versions()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await PromoteAsync("m1", "1.0.0", ModelStage.Production);
        var before = await SnapshotAsync();
        await ShouldFailAsync(() => Registry.DeleteModelAsync("m1", cancellationToken: Ct), ErrorCode.PolicyViolation);
        await ShouldBeUnchangedAsync(before);

        await Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Archived, cancellationToken: Ct);
        await Registry.DeleteModelAsync("m1", cancellationToken: Ct);
        await ShouldFailAsync(() => Registry.GetModelAsync("m1", Ct), ErrorCode.NotFound);
        (await SnapshotAsync()).Versions.Should().BeEmpty();

        // The name is free again and the new model starts with no versions.
        await RegisterAsync("m1");
        (await Registry.ListVersionsAsync("m1", Ct)).Should().BeEmpty();
    }

    [Fact]
    public virtual async Task Model_and_version_tags_are_set_and_deleted_with_limits()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        (await Registry.SetModelTagAsync("m1", "team", "risk", Ct)).Tags.Should().ContainKey("team");
        (await Registry.SetVersionTagAsync("m1", "1.0.0", "dataset", "d1", Ct)).Tags["dataset"].Should().Be("d1");
        var before = await SnapshotAsync();
        await ShouldFailAsync(() => Registry.SetModelTagAsync("m1", new string('k', 251), "v", Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Registry.SetModelTagAsync("m1", "k", new string('v', 5001), Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Registry.SetModelTagAsync("m1", "k", "bad\ud800", Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Registry.DeleteModelTagAsync("m1", "absent", Ct), ErrorCode.NotFound);
        await ShouldBeUnchangedAsync(before);
        await Registry.SetModelTagAsync("m1", new string('k', 250), new string('v', 5000), Ct);
        (await Registry.DeleteModelTagAsync("m1", "team", Ct)).Tags.Should().NotContainKey("team");
        (await Registry.DeleteVersionTagAsync("m1", "1.0.0", "dataset", Ct)).Tags.Should().BeEmpty();
    }

    [Fact]
    public virtual async Task Version_reads_back_with_every_field()
    {
        await RegisterAsync("m1");
        var created = await Registry.CreateVersionAsync("m1", new CreateVersionRequest
        {
            Version = "2.1.0-rc.1+build.7",
            Description = "release candidate",
            SourceCommit = "abc123",
            RunId = "run-42",
            Parameters = new Dictionary<string, string> { ["lr"] = "0.01", ["epochs"] = "10" },
            Metrics = new Dictionary<string, double> { ["auc"] = 0.9312345678901234, ["loss"] = -1e-300 },
            Artifacts =
            [
                new ModelArtifact(ArtifactType.Weights, "s3://b/w.bin", new string('f', 64), 123456789012, "Apache-2.0"),
                new ModelArtifact(ArtifactType.Container, "oci://registry/img@sha256:" + new string('0', 64)),
            ],
            Tags = new Dictionary<string, string> { ["k"] = "v" },
            ProviderBindings = [new ProviderBindingRequest { Provider = ModelProviders.OpenAI, ProviderModelId = "gpt-4o", Endpoint = "https://api.example.com/v1", Region = "eu", CostPer1KInputTokens = 0.0025m, CostPer1KOutputTokens = 0.01m, LatencySloMs = 800 }],
            IdempotencyKey = "key-1",
        }, Ct);

        created.Stage.Should().Be(ModelStage.Development);
        created.ContentHash.Should().MatchRegex("^[0-9a-f]{64}$");
        var read = await Registry.GetVersionAsync("m1", "2.1.0-rc.1", Ct);
        read.Should().BeEquivalentTo(created);
        read.Version.ToString().Should().Be("2.1.0-rc.1+build.7");
        read.ProviderBindings.Single().CostPer1KInputTokens.Should().Be(0.0025m);
        read.Metrics["loss"].Should().Be(-1e-300);
    }

    [Fact]
    public virtual async Task Next_versions_follow_semver_from_the_highest()
    {
        await RegisterAsync("m1");
        (await Registry.CreateVersionAsync("m1", new CreateVersionRequest { SourceCommit = "a" }, Ct)).Version.ToString().Should().Be("1.0.0");
        (await Registry.CreateVersionAsync("m1", new CreateVersionRequest { SourceCommit = "b" }, Ct)).Version.ToString().Should().Be("1.0.1");
        (await Registry.CreateVersionAsync("m1", new CreateVersionRequest { SourceCommit = "c", Increment = VersionIncrement.Minor }, Ct)).Version.ToString().Should().Be("1.1.0");
        await Registry.CreateVersionAsync("m1", new CreateVersionRequest { SourceCommit = "d", Version = "3.0.0-beta.2" }, Ct);
        (await Registry.CreateVersionAsync("m1", new CreateVersionRequest { SourceCommit = "e" }, Ct)).Version.ToString().Should().Be("3.0.0");
        (await Registry.CreateVersionAsync("m1", new CreateVersionRequest { SourceCommit = "f", Increment = VersionIncrement.Major }, Ct)).Version.ToString().Should().Be("4.0.0");
        (await Registry.ListVersionsAsync("m1", Ct)).Select(v => v.Version.ToString()).Should().Equal("4.0.0", "3.0.0", "3.0.0-beta.2", "1.1.0", "1.0.1", "1.0.0");
    }

    [Fact]
    public virtual async Task Duplicate_version_number_and_duplicate_content_are_refused_and_change_nothing()
    {
        await RegisterAsync("m1");
        await Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.0.0+a", SourceCommit = "c1" }, Ct);
        var before = await SnapshotAsync();
        await ShouldFailAsync(() => Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.0.0+b", SourceCommit = "c2" }, Ct), ErrorCode.AlreadyExists);
        var dup = await ShouldFailAsync(() => Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.0.1", SourceCommit = "c1" }, Ct), ErrorCode.AlreadyExists);
        dup.Message.Should().Contain("1.0.0");
        await ShouldBeUnchangedAsync(before);
        (await Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = "1.0.1", SourceCommit = "c1", AllowDuplicateContent = true }, Ct)).ContentHash
            .Should().Be(before.Versions.Single().ContentHash);
    }

    [Fact]
    public virtual async Task Repeating_a_create_with_the_same_idempotency_key_returns_the_first_version()
    {
        await RegisterAsync("m1");
        var request = new CreateVersionRequest { SourceCommit = "c1", IdempotencyKey = "pipeline-run-7" };
        var first = await Registry.CreateVersionAsync("m1", request, Ct);
        var before = await SnapshotAsync();
        var second = await Registry.CreateVersionAsync("m1", request, Ct);
        second.Should().BeEquivalentTo(first);
        await ShouldBeUnchangedAsync(before);
        await ShouldFailAsync(() => Registry.CreateVersionAsync("m1", request with { SourceCommit = "other" }, Ct), ErrorCode.AlreadyExists);
        await ShouldBeUnchangedAsync(before);
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("01.0.0")]
    [InlineData("1.0.0-")]
    [InlineData("1.0.0-01")]
    [InlineData("v1.0.0")]
    public virtual async Task Invalid_versions_are_refused_and_change_nothing(string version)
    {
        await RegisterAsync("m1");
        var before = await SnapshotAsync();
        await ShouldFailAsync(() => Registry.CreateVersionAsync("m1", new CreateVersionRequest { Version = version }, Ct), ErrorCode.InvalidArgument);
        await ShouldBeUnchangedAsync(before);
    }

    [Fact]
    public virtual async Task Invalid_artifacts_metrics_and_bindings_are_refused_and_change_nothing()
    {
        await RegisterAsync("m1");
        var before = await SnapshotAsync();
        await ShouldFailAsync(() => Registry.CreateVersionAsync("m1", new CreateVersionRequest { Artifacts = [new ModelArtifact(ArtifactType.Weights, "../../etc/passwd")] }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Registry.CreateVersionAsync("m1", new CreateVersionRequest { Artifacts = [new ModelArtifact(ArtifactType.Weights, "s3://b/w", "XYZ")] }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Registry.CreateVersionAsync("m1", new CreateVersionRequest { Artifacts = [new ModelArtifact(ArtifactType.Weights, "s3://b/w", null, -1)] }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Registry.CreateVersionAsync("m1", new CreateVersionRequest { Metrics = new Dictionary<string, double> { ["auc"] = double.NaN } }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Registry.CreateVersionAsync("m1", new CreateVersionRequest { Metrics = new Dictionary<string, double> { ["auc"] = double.PositiveInfinity } }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Registry.CreateVersionAsync("m1", new CreateVersionRequest { ProviderBindings = [new ProviderBindingRequest { Provider = "OpenAI", ProviderModelId = "x", CostPer1KInputTokens = -1 }] }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Registry.CreateVersionAsync("m1", new CreateVersionRequest { ProviderBindings = [new ProviderBindingRequest { Provider = "OpenAI", ProviderModelId = "x", Endpoint = "not a uri" }] }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Registry.CreateVersionAsync("m1", new CreateVersionRequest { DerivedFrom = "models:/m1/9.9.9" }, Ct), ErrorCode.NotFound);
        await ShouldFailAsync(() => Registry.CreateVersionAsync("missing", new CreateVersionRequest(), Ct), ErrorCode.NotFound);
        await ShouldBeUnchangedAsync(before);
    }

    [Fact]
    public virtual async Task Stage_transitions_follow_the_table()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        var before = await SnapshotAsync();
        await ShouldFailAsync(() => Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Production, cancellationToken: Ct), ErrorCode.InvalidTransition);
        await ShouldFailAsync(() => Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Development, cancellationToken: Ct), ErrorCode.InvalidTransition);
        await ShouldFailAsync(() => Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.RolledBack, cancellationToken: Ct), ErrorCode.InvalidTransition);
        await ShouldBeUnchangedAsync(before);

        var staging = await Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Staging, new StageTransitionOptions { Reason = "ready" }, Ct);
        staging.Stage.Should().Be(ModelStage.Staging);
        staging.Revision.Should().Be(2);
        before = await SnapshotAsync();
        await ShouldFailAsync(() => Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Canary, cancellationToken: Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Canary, new StageTransitionOptions { CanaryTrafficPercent = 100 }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Production, new StageTransitionOptions { CanaryTrafficPercent = 5 }, Ct), ErrorCode.InvalidArgument);
        await ShouldBeUnchangedAsync(before);

        var canary = await Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Canary, new StageTransitionOptions { CanaryTrafficPercent = 5 }, Ct);
        canary.CanaryTrafficPercent.Should().Be(5);
        (await Registry.SetCanaryTrafficAsync("m1", "1.0.0", 50, Ct)).CanaryTrafficPercent.Should().Be(50);
        var prod = await Registry.TransitionStageAsync("m1", "1.0.0", ModelStage.Production, cancellationToken: Ct);
        prod.CanaryTrafficPercent.Should().BeNull();
        (await Registry.ResolveAsync("models:/m1/production", Ct)).Version.ToString().Should().Be("1.0.0");
    }

    [Fact]
    public virtual async Task Only_one_canary_per_model_and_a_second_is_refused()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await CreateVersionAsync("m1", "1.1.0");
        await PromoteAsync("m1", "1.0.0", ModelStage.Canary);
        await PromoteAsync("m1", "1.1.0", ModelStage.Staging);
        var before = await SnapshotAsync();
        await ShouldFailAsync(() => PromoteAsync("m1", "1.1.0", ModelStage.Canary), ErrorCode.PolicyViolation);
        await ShouldBeUnchangedAsync(before);
    }

    [Fact]
    public virtual async Task Unacceptable_risk_is_never_promoted()
    {
        await RegisterAsync("banned", RiskTier.Unacceptable);
        await CreateVersionAsync("banned", "1.0.0");
        var before = await SnapshotAsync();
        await ShouldFailAsync(() => Registry.TransitionStageAsync("banned", "1.0.0", ModelStage.Staging, cancellationToken: Ct), ErrorCode.PolicyViolation);
        await ShouldBeUnchangedAsync(before);
        (await Registry.TransitionStageAsync("banned", "1.0.0", ModelStage.Archived, cancellationToken: Ct)).Stage.Should().Be(ModelStage.Archived);
    }

    [Fact]
    public virtual async Task Promoting_to_production_archives_the_previous_and_rollback_restores_it_atomically()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await CreateVersionAsync("m1", "2.0.0");
        await PromoteAsync("m1", "1.0.0", ModelStage.Production);
        await PromoteAsync("m1", "2.0.0", ModelStage.Production);

        (await Registry.GetVersionAsync("m1", "1.0.0", Ct)).Stage.Should().Be(ModelStage.Archived);
        (await Registry.GetModelAsync("m1", Ct)).ProductionHistory.Should().Equal("1.0.0");
        var serving = (await SnapshotAsync()).Versions.Where(v => v.Stage == ModelStage.Production).ToList();
        serving.Should().ContainSingle().Which.Version.ToString().Should().Be("2.0.0");

        var result = await Registry.RollbackAsync("m1", "p95 latency regression", Ct);
        result.Restored.Version.ToString().Should().Be("1.0.0");
        result.Restored.Stage.Should().Be(ModelStage.Production);
        result.RolledBack.Stage.Should().Be(ModelStage.RolledBack);
        (await Registry.GetVersionAsync("m1", "2.0.0", Ct)).Stage.Should().Be(ModelStage.RolledBack);
        (await Registry.ResolveAsync("models:/m1/production", Ct)).Version.ToString().Should().Be("1.0.0");
        (await Registry.GetModelAsync("m1", Ct)).ProductionHistory.Should().BeEmpty();

        var before = await SnapshotAsync();
        await ShouldFailAsync(() => Registry.RollbackAsync("m1", "again", Ct), ErrorCode.InvalidTransition);
        await ShouldBeUnchangedAsync(before);
    }

    [Fact]
    public virtual async Task Aliases_move_resolve_and_latest_is_reserved()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await CreateVersionAsync("m1", "1.2.0");
        await CreateVersionAsync("m1", "1.10.0-alpha");
        await Registry.SetAliasAsync("m1", "champion", "1.0.0", Ct);
        (await Registry.ResolveAsync("models:/m1@champion", Ct)).Version.ToString().Should().Be("1.0.0");
        (await Registry.SetAliasAsync("m1", "champion", "1.2.0", Ct)).Aliases["champion"].Should().Be("1.2.0");
        (await Registry.ResolveAsync("models:/M1@champion", Ct)).Version.ToString().Should().Be("1.2.0");
        (await Registry.ResolveAsync("models:/m1/latest", Ct)).Version.ToString().Should().Be("1.10.0-alpha");
        (await Registry.ResolveAsync("models:/m1/1.2.0", Ct)).Version.ToString().Should().Be("1.2.0");

        var before = await SnapshotAsync();
        await ShouldFailAsync(() => Registry.SetAliasAsync("m1", "latest", "1.0.0", Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Registry.SetAliasAsync("m1", "bad alias", "1.0.0", Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Registry.SetAliasAsync("m1", "x", "9.9.9", Ct), ErrorCode.NotFound);
        await ShouldFailAsync(() => Registry.DeleteAliasAsync("m1", "absent", Ct), ErrorCode.NotFound);
        await ShouldFailAsync(() => Registry.ResolveAsync("models:/m1@absent", Ct), ErrorCode.NotFound);
        await ShouldFailAsync(() => Registry.ResolveAsync("models:/m1/production", Ct), ErrorCode.NotFound);
        await ShouldFailAsync(() => Registry.ResolveAsync("http://m1/1.0.0", Ct), ErrorCode.InvalidArgument);
        await ShouldBeUnchangedAsync(before);

        (await Registry.DeleteAliasAsync("m1", "champion", Ct)).Aliases.Should().BeEmpty();
    }

    [Fact]
    public virtual async Task Provider_bindings_are_added_updated_removed_and_listed_with_filters()
    {
        await RegisterAsync("m1");
        await CreateVersionAsync("m1", "1.0.0");
        await CreateVersionAsync("m1", "2.0.0");
        await Registry.AddProviderBindingAsync("m1", "1.0.0", new ProviderBindingRequest { Provider = ModelProviders.OpenAI, ProviderModelId = "gpt-4o", Region = "us", CostPer1KInputTokens = 0.005m }, Ct);
        var v2 = await Registry.AddProviderBindingAsync("m1", "2.0.0", new ProviderBindingRequest { Id = "bedrock-eu", Provider = ModelProviders.Bedrock, ProviderModelId = "claude", Region = "eu" }, Ct);
        v2.ProviderBindings.Single().Id.Should().Be("bedrock-eu");

        var before = await SnapshotAsync();
        await ShouldFailAsync(() => Registry.AddProviderBindingAsync("m1", "2.0.0", new ProviderBindingRequest { Id = "bedrock-eu", Provider = "Bedrock", ProviderModelId = "other" }, Ct), ErrorCode.AlreadyExists);
        await ShouldFailAsync(() => Registry.UpdateProviderBindingAsync("m1", "2.0.0", "bedrock-eu", new ProviderBindingUpdate { ObservedSuccessRate = 1.5 }, Ct), ErrorCode.InvalidArgument);
        await ShouldFailAsync(() => Registry.UpdateProviderBindingAsync("m1", "2.0.0", "absent", new ProviderBindingUpdate { Status = BindingStatus.Degraded }, Ct), ErrorCode.NotFound);
        await ShouldBeUnchangedAsync(before);

        await Registry.UpdateProviderBindingAsync("m1", "2.0.0", "bedrock-eu", new ProviderBindingUpdate { ObservedSuccessRate = 0.97, Status = BindingStatus.Degraded }, Ct);
        var all = await Registry.ListProviderBindingsAsync(new ProviderBindingQuery(), Ct);
        all.Should().HaveCount(2);
        (await Registry.ListProviderBindingsAsync(new ProviderBindingQuery { Provider = "bedrock" }, Ct)).Single().Binding.Status.Should().Be(BindingStatus.Degraded);
        (await Registry.ListProviderBindingsAsync(new ProviderBindingQuery { MinimumSuccessRate = 0.9 }, Ct)).Single().Version.ToString().Should().Be("2.0.0");
        (await Registry.ListProviderBindingsAsync(new ProviderBindingQuery { Region = "US" }, Ct)).Single().Binding.Provider.Should().Be("OpenAI");
        (await Registry.ListProviderBindingsAsync(new ProviderBindingQuery { ModelName = "m1", Version = "1.0.0" }, Ct)).Should().ContainSingle();
        (await Registry.RemoveProviderBindingAsync("m1", "2.0.0", "bedrock-eu", Ct)).ProviderBindings.Should().BeEmpty();
    }

    [Fact]
    public virtual async Task Retention_keeps_the_last_n_and_serving_or_aliased_versions_and_dry_run_changes_nothing()
    {
        await RegisterAsync("m1");
        for (var i = 1; i <= 6; i++)
        {
            await CreateVersionAsync("m1", $"1.{i}.0");
        }

        await PromoteAsync("m1", "1.1.0", ModelStage.Production);
        await Registry.SetAliasAsync("m1", "golden", "1.2.0", Ct);

        var before = await SnapshotAsync();
        var plan = await Registry.ApplyRetentionAsync(new RetentionRequest { ModelName = "m1", KeepLast = 2, DryRun = true }, Ct);
        await ShouldBeUnchangedAsync(before);
        plan.Archived.Select(d => d.Version.ToString()).Should().BeEquivalentTo("1.4.0", "1.3.0");
        plan.Kept.Should().Contain(d => d.Version.ToString() == "1.1.0" && d.Reason.Contains("Production"));
        plan.Kept.Should().Contain(d => d.Version.ToString() == "1.2.0" && d.Reason.Contains("alias"));

        var done = await Registry.ApplyRetentionAsync(new RetentionRequest { ModelName = "m1", KeepLast = 2 }, Ct);
        done.Archived.Should().BeEquivalentTo(plan.Archived);
        (await Registry.GetVersionAsync("m1", "1.3.0", Ct)).Stage.Should().Be(ModelStage.Archived);
        (await Registry.GetVersionAsync("m1", "1.6.0", Ct)).Stage.Should().Be(ModelStage.Development);
        await ShouldFailAsync(() => Registry.ApplyRetentionAsync(new RetentionRequest { KeepLast = 11 }, Ct), ErrorCode.InvalidArgument);
    }

    [Fact]
    public virtual async Task Statistics_count_models_versions_stages_providers_and_tiers()
    {
        await RegisterAsync("a", RiskTier.High);
        await RegisterAsync("b");
        await CreateVersionAsync("a", "1.0.0");
        await CreateVersionAsync("a", "2.0.0");
        await CreateVersionAsync("b", "1.0.0");
        await PromoteAsync("a", "2.0.0", ModelStage.Production);
        await Registry.AddProviderBindingAsync("b", "1.0.0", new ProviderBindingRequest { Provider = "Vertex", ProviderModelId = "gemini" }, Ct);
        await Registry.DeprecateModelAsync("b", "unused", null, Ct);

        var stats = await Registry.GetStatisticsAsync(Ct);
        stats.ModelCount.Should().Be(2);
        stats.VersionCount.Should().Be(3);
        stats.DeprecatedModelCount.Should().Be(1);
        stats.VersionsByStage[ModelStage.Production].Should().Be(1);
        stats.VersionsByStage[ModelStage.Development].Should().Be(2);
        stats.VersionsByProvider.Should().Equal(new Dictionary<string, int> { ["Vertex"] = 1 });
        stats.ModelsByRiskTier[RiskTier.High].Should().Be(1);
        stats.ModelsByRiskTier[RiskTier.Unacceptable].Should().Be(0);
    }
}
