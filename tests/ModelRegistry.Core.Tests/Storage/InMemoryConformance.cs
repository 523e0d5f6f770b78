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
