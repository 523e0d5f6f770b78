using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelRegistry.Registry;
using ModelRegistry.Storage.LiteDb.Internal;

namespace ModelRegistry.Storage.LiteDb.Tests;

/// <summary>UseLiteDb: registration, start-up validation of options with messages that name the option, the factory.</summary>
public sealed class LiteDbRegistrationTests : IDisposable
{
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task UseLiteDb_replaces_the_in_memory_stores_and_the_registry_persists_across_restarts()
    {
        await using (var services = ModelRegistryServices.Create(b => b.UseLiteDb($"Filename={_database.Path}")))
        {
            services.GetRequiredService<IRegistryStore>().Should().BeOfType<LiteDbRegistryStore>();
            services.GetRequiredService<IMetricStore>().Should().BeOfType<LiteDbMetricStore>();
            await services.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "fraud-detector", Owners = ["risk"] });
        }

        await using (var services = ModelRegistryServices.Create(b => b.UseLiteDb(o => o.Filename = _database.Path)))
        {
            (await services.Registry.GetModelAsync("FRAUD-DETECTOR")).Name.Should().Be("fraud-detector");
            (await services.AuditTrail.VerifyAsync()).IsValid.Should().BeTrue();
        }

        File.Exists(_database.LogPath).Should().BeFalse("disposing the services closes the file");
    }

    [Fact]
    public void The_last_UseLiteDb_call_wins_and_only_one_store_is_registered()
    {
        var services = new ServiceCollection();
        services.AddModelRegistry().UseLiteDb("Filename=a.litedb").UseLiteDb($"Filename={_database.Path}");
        services.Count(d => d.ServiceType == typeof(IRegistryStore)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IMetricStore)).Should().Be(1);
    }

    [Theory]
    [InlineData("Filename=x.litedb;Connection=Shared", "Connection=Shared")]
    [InlineData("Filename=x.litedb;Password=secret", "Password")]
    [InlineData("Filename=x.litedb;ReadOnly=true", "ReadOnly")]
    [InlineData("Filename=x.litedb;Upgrade=true", "Upgrade")]
    [InlineData("Filename=x.litedb;Collation=en-US/IgnoreCase", "Collation")]
    [InlineData("Filename=x.litedb;Initial Size=100", "Initial Size")]
    [InlineData("Connection=Direct", "no Filename")]
    [InlineData(":temp:", ":temp:")]
    public void Bad_connection_strings_fail_at_start_up_with_a_message_naming_the_option(string connectionString, string mentioned)
    {
        var act = () => ModelRegistryServices.Create(b => b.UseLiteDb(connectionString)).Dispose();
        var ex = act.Should().Throw<OptionsValidationException>().Which;
        ex.Message.Should().Contain("LiteDbStoreOptions").And.Contain(mentioned);
        Directory.GetFiles(Directory.GetCurrentDirectory(), "x*.litedb").Should().BeEmpty("nothing is created for refused options");
    }

    [Fact]
    public void Missing_and_conflicting_options_are_named()
    {
        Validate(new LiteDbStoreOptions()).Should().ContainSingle().Which.Should().Contain("LiteDbStoreOptions.ConnectionString");
        Validate(new LiteDbStoreOptions { ConnectionString = "Filename=a", Filename = "b" }).Should().ContainSingle().Which.Should().Contain("both set");
        Validate(new LiteDbStoreOptions { Filename = "a", FileLockTimeout = TimeSpan.FromSeconds(-1) }).Should().ContainSingle().Which.Should().Contain("FileLockTimeout");
        Validate(new LiteDbStoreOptions { Filename = "a", FileLockTimeout = TimeSpan.FromHours(1) }).Should().ContainSingle().Which.Should().Contain("FileLockTimeout");
        Validate(new LiteDbStoreOptions { Filename = ":memory:" }).Should().BeEmpty();
        Validate(new LiteDbStoreOptions { ConnectionString = "registry.litedb" }).Should().BeEmpty("a bare path is a filename, as in LiteDB");
        Validate(new LiteDbStoreOptions { ConnectionString = "Filename=registry.litedb;Connection=direct;Initial Size=16384" }).Should().BeEmpty();

        static IReadOnlyList<string> Validate(LiteDbStoreOptions options) => LiteDbStoreSettings.Validate(options, out _);
    }

    [Fact]
    public void The_factory_refuses_bad_options_with_a_typed_error()
    {
        var act = () => LiteDbRegistryStoreFactory.Open(new LiteDbStoreOptions { ConnectionString = "Filename=x;Connection=Shared" });
        act.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }

    [Fact]
    public async Task Metric_points_and_roll_ups_persist_in_the_registry_file()
    {
        var series = new MetricSeries("chat", "1.0.0", null, "Latency");
        var options = new LiteDbStoreOptions { Filename = _database.Path };
        using (var metrics = LiteDbRegistryStoreFactory.OpenMetrics(options))
        {
            await metrics.AppendAsync([new MetricPointRecord(series, 10, 1.5, "ms", "r1", "{\"a\":1}"), new MetricPointRecord(series, 20, -0.0)], CancellationToken.None);
            await metrics.CompactAsync(new MetricCompaction(15, 25, 1, [new MetricRollupRecord(series, 0, 1, -0.0, -0.0, 0, -0.0, -0.0, [0, 255])]), CancellationToken.None);
        }

        using var reopened = LiteDbRegistryStoreFactory.OpenMetrics(options);
        var batches = new List<MetricPointBatch>();
        await foreach (var b in reopened.ReadPointsAsync(new MetricStoreQuery { FromUtcTicks = 0, ToUtcTicks = 100, IncludeDetails = true }, CancellationToken.None))
        {
            batches.Add(b);
        }

        batches.Should().ContainSingle();
        batches[0].Values.ToArray().Should().Equal(1.5);
        batches[0].Dimensions.ToArray().Should().Equal("{\"a\":1}");
        var rollups = new List<MetricRollupRecord>();
        await foreach (var r in reopened.ReadRollupsAsync(new MetricStoreQuery { FromUtcTicks = 0, ToUtcTicks = 100 }, CancellationToken.None))
        {
            rollups.Add(r);
        }

        rollups.Should().ContainSingle().Which.Sketch.Should().Equal(0, 255);
        (await reopened.GetOldestPointTimestampAsync(CancellationToken.None)).Should().Be(10);
    }

    [Fact]
    public async Task An_in_memory_LiteDB_store_works_without_a_file()
    {
        using var store = LiteDbRegistryStoreFactory.Open(LiteDbStoreSettings.MemoryFilename);
        await store.CommitAsync(Records.Tx(new PutModel(Records.Model("m"), 0)), CancellationToken.None);
        (await store.FindModelAsync("M", CancellationToken.None)).Should().NotBeNull();
    }
}
