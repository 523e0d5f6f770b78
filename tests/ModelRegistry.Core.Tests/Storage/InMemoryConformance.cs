using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelRegistry.Storage;
using ModelRegistry.Storage.Conformance;

namespace ModelRegistry.Core.Tests.Storage;

public sealed class InMemoryModelLifecycleTests : ModelLifecycleTests<InMemoryStoreFixture>;

public sealed class InMemoryAuditTrailTests : AuditTrailTests<InMemoryStoreFixture>;

public sealed class InMemoryStoreContractTests : StoreContractTests<InMemoryStoreFixture>;

public sealed class InMemoryConcurrencyTests : ConcurrencyTests<InMemoryStoreFixture>;

public sealed class InMemoryConformanceCompletenessTests
{
    [Fact]
    public void Every_conformance_base_runs_on_the_in_memory_store()
        => ConformanceCompleteness.MissingSubclasses(typeof(InMemoryConformanceCompletenessTests).Assembly).Should().BeEmpty();
}

public sealed class InMemorySearchTests : SearchTests<InMemoryStoreFixture>;

public sealed class InMemoryDocumentStoreTests : DocumentStoreTests<InMemoryStoreFixture>;

public sealed class InMemoryMetricStoreTests : MetricStoreTests<InMemoryStoreFixture>;

public sealed class InMemoryPerformanceTrackerTests : PerformanceTrackerTests<InMemoryStoreFixture>;

public sealed class InMemoryLineageTests : LineageTests<InMemoryStoreFixture>;

/// <summary>
/// One in-memory store shared by every registry instance a test creates: two instances behave like two processes on
/// one SQLite file, each with its own lineage graph that must catch up on the other's writes.
/// </summary>
public sealed class SharedInMemoryStoreFixture : IStoreFixture
{
    private readonly InMemoryRegistryStore _store = new();
    private readonly InMemoryMetricStore _metrics = new();

    /// <inheritdoc />
    public bool SupportsSharedInstances => true;

    /// <inheritdoc />
    public void Configure(IModelRegistryBuilder builder)
    {
        builder.Services.Replace(ServiceDescriptor.Singleton<IRegistryStore>(_store));
        builder.Services.Replace(ServiceDescriptor.Singleton<IMetricStore>(_metrics));
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

public sealed class SharedInMemoryLineageTests : LineageTests<SharedInMemoryStoreFixture>;

public sealed class SharedInMemoryPerformanceTrackerTests : PerformanceTrackerTests<SharedInMemoryStoreFixture>;

public sealed class InMemoryComplianceTests : ComplianceTests<InMemoryStoreFixture>;

public sealed class SharedInMemoryComplianceTests : ComplianceTests<SharedInMemoryStoreFixture>;

/// <summary>The in-memory store with a tamper hook: the audit list is replaced as an attacker would edit a file.</summary>
public sealed class InMemoryTamperFixture : IStoreFixture, IAuditTamperFixture
{
    /// <inheritdoc />
    public void Configure(IModelRegistryBuilder builder)
    {
    }

    /// <inheritdoc />
    public ValueTask ReplaceAuditTrailAsync(ModelRegistryServices services, IReadOnlyList<ModelRegistry.Audit.AuditRecord> records)
    {
        ((InMemoryRegistryStore)services.GetRequiredService<IRegistryStore>()).TamperAudit(list =>
        {
            list.Clear();
            list.AddRange(records);
        });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

public sealed class InMemoryAuditTamperTests : AuditTamperTests<InMemoryTamperFixture>;
