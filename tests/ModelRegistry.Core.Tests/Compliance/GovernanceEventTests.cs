using Microsoft.Extensions.Logging;
using ModelRegistry.Compliance;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Compliance;

public sealed class GovernanceEventTests
{
    internal sealed class RecordingHandler : IRegistryEventHandler
    {
        public List<RegistryEvent> Events { get; } = [];

        public long? ResumeAfter { get; set; }

        public Func<RegistryEvent, bool>? FailWhen { get; set; }

        public string Name => "recording";

        public ValueTask<long?> GetResumeSequenceAsync(CancellationToken cancellationToken) => ValueTask.FromResult(ResumeAfter);

        public ValueTask HandleAsync(RegistryEvent registryEvent, CancellationToken cancellationToken)
        {
            if (FailWhen?.Invoke(registryEvent) == true)
            {
                throw new InvalidOperationException("webhook down");
            }

            Events.Add(registryEvent);
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<ApprovalRequest> PromoteWithApprovalAsync(ComplianceHost host, string version)
    {
        await host.Registry.TransitionStageAsync("fraud", version, ModelStage.Staging);
        var request = await host.Compliance.RequestApprovalAsync("fraud", version, ModelStage.Production, "ready");
        request = await host.AsAsync("carol", () => host.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve));
        await host.Registry.TransitionStageAsync("fraud", version, ModelStage.Production);
        return request;
    }

    [Fact]
    public async Task Handlers_receive_promotion_approval_rollback_and_deprecation_events_after_commit_in_order()
    {
        var handler = new RecordingHandler();
        await using var host = ComplianceHost.Create(configure: b => b.Services.AddSingleton<IRegistryEventHandler>(handler));
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal);
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal, version: "1.1.0");
        var first = await PromoteWithApprovalAsync(host, "1.0.0");
        await PromoteWithApprovalAsync(host, "1.1.0");
        await host.Registry.RollbackAsync("fraud", "errors up");
        await host.Registry.DeprecateModelAsync("fraud", "replaced by a vendor model");

        handler.Events.Select(e => (e.Kind, e.Version?.ToString(), e.ToStage)).Should().Equal(
            (RegistryEventKind.Promoted, "1.0.0", ModelStage.Staging),
            (RegistryEventKind.ApprovalRequested, "1.0.0", null),
            (RegistryEventKind.ApprovalGranted, "1.0.0", null),
            (RegistryEventKind.Promoted, "1.0.0", ModelStage.Production),
            (RegistryEventKind.Promoted, "1.1.0", ModelStage.Staging),
            (RegistryEventKind.ApprovalRequested, "1.1.0", null),
            (RegistryEventKind.ApprovalGranted, "1.1.0", null),
            (RegistryEventKind.Promoted, "1.1.0", ModelStage.Production),
            (RegistryEventKind.RolledBack, "1.1.0", ModelStage.RolledBack),
            (RegistryEventKind.Deprecated, null, null));
        handler.Events.Select(e => e.Sequence).Should().BeInAscendingOrder();
        handler.Events[1].ApprovalRequestId.Should().Be(first.Id);
        handler.Events[2].Actor.Should().Be("carol");
        handler.Events[3].FromStage.Should().Be(ModelStage.Staging);
        handler.Events.Should().OnlyContain(e => e.ModelName == "fraud");
    }

    [Fact]
    public async Task A_failing_handler_is_logged_never_undoes_the_commit_and_gets_the_event_again()
    {
        var handler = new RecordingHandler { FailWhen = e => e.Kind == RegistryEventKind.Promoted };
        await using var host = ComplianceHost.Create(configure: b => b.Services.AddSingleton<IRegistryEventHandler>(handler));
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal);

        var staged = await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Staging);
        staged.Stage.Should().Be(ModelStage.Staging);
        (await host.Registry.GetVersionAsync("fraud", "1.0.0")).Stage.Should().Be(ModelStage.Staging, "the commit stands");
        await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready");
        handler.Events.Should().BeEmpty("delivery stops at the failed event so order is kept");

        handler.FailWhen = null;
        (await host.Compliance.DeliverEventsAsync()).Should().Be(2);
        handler.Events.Select(e => e.Kind).Should().Equal(RegistryEventKind.Promoted, RegistryEventKind.ApprovalRequested);
        (await host.Compliance.DeliverEventsAsync()).Should().Be(0, "nothing is delivered twice once handled");
    }

    private sealed class ListLoggerFactory : ILoggerFactory
    {
        public List<(string Category, LogLevel Level, string Message, Exception? Exception)> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class ListLogger(ListLoggerFactory owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
                => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner.Entries)
                {
                    owner.Entries.Add((category, logLevel, formatter(state, exception), exception));
                }
            }
        }
    }

    [Fact]
    public async Task A_failing_handler_is_logged_as_an_error_naming_the_handler_and_the_record()
    {
        var logs = new ListLoggerFactory();
        var handler = new RecordingHandler { FailWhen = _ => true };
        await using var host = ComplianceHost.Create(configure: b => b.Services.AddSingleton<IRegistryEventHandler>(handler).AddSingleton<ILoggerFactory>(logs));
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal);
        var staged = await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Staging);

        var entry = logs.Entries.Should().ContainSingle(e => e.Level == LogLevel.Error).Which;
        entry.Message.Should().Contain("recording").And.Contain("audit record");
        staged.Stage.Should().Be(ModelStage.Staging, "the commit stands");
        entry.Exception.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("webhook down");
    }

    [Fact]
    public async Task A_handler_resumes_after_the_sequence_it_persisted()
    {
        await using var host = ComplianceHost.Create();
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal);
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Staging);
        var request = await host.Compliance.RequestApprovalAsync("fraud", "1.0.0", ModelStage.Production, "ready");
        var requestedAt = (await host.Compliance.QueryAuditAsync(new ModelRegistry.Audit.AuditQuery { Action = "approval.requested" })).Items[0].Sequence;
        await host.AsAsync("carol", () => host.Compliance.ReviewAsync(request.Id, ReviewDecision.Approve));

        // A new process whose handler persisted "handled up to the approval request" catches up on start.
        var handler = new RecordingHandler { ResumeAfter = requestedAt };
        await using var sameStore = ComplianceHost.Create(configure: b =>
        {
            b.Services.AddSingleton<ModelRegistry.Storage.IRegistryStore>(host.Store);
            b.Services.AddSingleton<IRegistryEventHandler>(handler);
        });
        (await sameStore.Compliance.DeliverEventsAsync()).Should().Be(1);
        handler.Events.Should().ContainSingle().Which.Kind.Should().Be(RegistryEventKind.ApprovalGranted);
    }

    [Fact]
    public async Task A_handler_without_a_resume_position_starts_with_new_commits()
    {
        var handler = new RecordingHandler();
        await using var host = ComplianceHost.Create(configure: b => b.Services.AddSingleton<IRegistryEventHandler>(handler));
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal);
        (await host.Compliance.DeliverEventsAsync()).Should().Be(0);
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Staging);
        handler.Events.Should().ContainSingle().Which.Kind.Should().Be(RegistryEventKind.Promoted);
    }

    internal sealed class RegistryChangingHandler(IServiceProvider services) : IRegistryEventHandler
    {
        public List<RegistryEventKind> Seen { get; } = [];

        public string Name => "tagger";

        public async ValueTask HandleAsync(RegistryEvent registryEvent, CancellationToken cancellationToken)
        {
            Seen.Add(registryEvent.Kind);
            if (registryEvent.Kind == RegistryEventKind.Promoted)
            {
                // Changing the registry from inside a handler must not deadlock; the nested commit's records are delivered by a later round.
                await services.GetRequiredService<IModelRegistry>().SetVersionTagAsync(registryEvent.ModelName, registryEvent.Version!.ToString(), "promoted-by", registryEvent.Actor, cancellationToken);
            }
        }
    }

    [Fact]
    public async Task A_handler_may_change_the_registry_without_deadlock()
    {
        await using var host = ComplianceHost.Create(configure: b => b.AddRegistryEventHandler<RegistryChangingHandler>());
        await host.RegisterCompliantAsync(tier: RiskTier.Minimal);
        await host.Registry.TransitionStageAsync("fraud", "1.0.0", ModelStage.Staging);
        (await host.Registry.GetVersionAsync("fraud", "1.0.0")).Tags["promoted-by"].Should().Be("rob");
        host.Services.GetRequiredService<IEnumerable<IRegistryEventHandler>>().OfType<RegistryChangingHandler>().Single().Seen.Should().Equal(RegistryEventKind.Promoted);
    }
}
