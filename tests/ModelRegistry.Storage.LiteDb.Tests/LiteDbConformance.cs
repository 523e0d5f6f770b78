using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Audit;
using ModelRegistry.Storage.Conformance;
using ModelRegistry.Storage.LiteDb.Internal;

namespace ModelRegistry.Storage.LiteDb.Tests;

/// <summary>
/// A fresh LiteDB file per test; every registry instance of the test opens the same file and so shares one database
/// (in one process, stores on one path share an engine; another process is refused).
/// </summary>
public sealed class LiteDbStoreFixture : IStoreFixture, IAuditTamperFixture
{
    private readonly TempDatabase _database = new();

    public string Path => _database.Path;

    public bool SupportsSharedInstances => true;

    public void Configure(IModelRegistryBuilder builder) => builder.UseLiteDb($"Filename={_database.Path}");

    /// <summary>
    /// Rewrites the audit collection directly, as someone editing the file would. The file is locked by the running
    /// registry, so the edit goes through its engine, below the store.
    /// </summary>
    public ValueTask ReplaceAuditTrailAsync(ModelRegistryServices services, IReadOnlyList<AuditRecord> records)
    {
        var database = ((LiteDbRegistryStore)services.GetRequiredService<IRegistryStore>()).Database;
        var audit = database.GetCollection(Schema.Audit);
        database.BeginTrans();
        audit.DeleteAll();
        foreach (var record in records)
        {
            audit.Upsert(RecordDocuments.ToDocument(record));
        }

        database.Commit();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _database.Dispose();
        return ValueTask.CompletedTask;
    }
}

public sealed class LiteDbModelLifecycleTests : ModelLifecycleTests<LiteDbStoreFixture>;

public sealed class LiteDbAuditTrailTests : AuditTrailTests<LiteDbStoreFixture>;

public sealed class LiteDbStoreContractTests : StoreContractTests<LiteDbStoreFixture>;

public sealed class LiteDbConcurrencyTests : ConcurrencyTests<LiteDbStoreFixture>;

public sealed class LiteDbSearchTests : SearchTests<LiteDbStoreFixture>;

public sealed class LiteDbDocumentStoreTests : DocumentStoreTests<LiteDbStoreFixture>;

public sealed class LiteDbLineageTests : LineageTests<LiteDbStoreFixture>;

public sealed class LiteDbMetricStoreTests : MetricStoreTests<LiteDbStoreFixture>;

public sealed class LiteDbPerformanceTrackerTests : PerformanceTrackerTests<LiteDbStoreFixture>;

public sealed class LiteDbComplianceTests : ComplianceTests<LiteDbStoreFixture>;

public sealed class LiteDbAuditTamperTests : AuditTamperTests<LiteDbStoreFixture>;

public sealed class LiteDbConformanceCompletenessTests
{
    [Fact]
    public void Every_conformance_base_has_a_LiteDB_subclass()
        => ConformanceCompleteness.MissingSubclasses(typeof(LiteDbConformanceCompletenessTests).Assembly).Should().BeEmpty();
}
