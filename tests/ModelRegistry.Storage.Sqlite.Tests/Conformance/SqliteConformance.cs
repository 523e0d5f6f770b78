using ModelRegistry.Storage.Conformance;

namespace ModelRegistry.Storage.Sqlite.Tests.Conformance;

public sealed class SqliteModelLifecycleTests : ModelLifecycleTests<SqliteStoreFixture>;

public sealed class SqliteAuditTrailTests : AuditTrailTests<SqliteStoreFixture>;

public sealed class SqliteStoreContractTests : StoreContractTests<SqliteStoreFixture>;

public sealed class SqliteConcurrencyTests : ConcurrencyTests<SqliteStoreFixture>;

public sealed class SqliteConformanceCompletenessTests
{
    [Fact]
    public void Every_conformance_base_runs_on_the_SQLite_store()
        => ConformanceCompleteness.MissingSubclasses(typeof(SqliteConformanceCompletenessTests).Assembly).Should().BeEmpty();
}

public sealed class SqliteSearchConformanceTests : SearchTests<SqliteStoreFixture>;

public sealed class SqliteDocumentStoreTests : DocumentStoreTests<SqliteStoreFixture>;

public sealed class SqliteLineageTests : LineageTests<SqliteStoreFixture>;

public sealed class SqliteMetricStoreTests : MetricStoreTests<SqliteStoreFixture>;

public sealed class SqlitePerformanceTrackerTests : PerformanceTrackerTests<SqliteStoreFixture>;

public sealed class SqliteComplianceTests : ComplianceTests<SqliteStoreFixture>;

public sealed class SqliteAuditTamperTests : AuditTamperTests<SqliteStoreFixture>;
