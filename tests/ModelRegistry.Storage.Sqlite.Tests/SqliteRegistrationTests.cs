using Microsoft.Extensions.Options;
using ModelRegistry.Registry;
using ModelRegistry.Storage.Sqlite.Internal;
using ModelRegistry.Storage.Sqlite.Tests.Support;

namespace ModelRegistry.Storage.Sqlite.Tests;

/// <summary><c>UseSqlite</c>: replaces the default store, validates its options at start-up, persists through the registry.</summary>
public sealed class SqliteRegistrationTests : IDisposable
{
    private readonly TempStoreFile _file = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task UseSqlite_replaces_the_in_memory_store_and_the_registry_persists_to_the_file()
    {
        await using (var services = ModelRegistryServices.Create(b => b.UseSqlite(_file.ConnectionString)))
        {
            services.GetRequiredService<IRegistryStore>().Should().BeOfType<SqliteRegistryStore>();
            await services.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "fraud-detector", Owners = ["risk-team"] });
        }

        await using var reopened = ModelRegistryServices.Create(b => b.UseSqlite(o => o.ConnectionString = _file.ConnectionString));
        (await reopened.Registry.GetModelAsync("FRAUD-DETECTOR")).Owners.Should().Equal("risk-team");
        (await reopened.AuditTrail.VerifyAsync()).IsValid.Should().BeTrue();
    }

    [Fact]
    public void UseSqlite_removes_any_store_registered_before_it()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IRegistryStore>(_ => throw new InvalidOperationException("the replaced store was resolved"));
        services.AddModelRegistry().UseSqlite(_file.ConnectionString);

        services.Count(d => d.ServiceType == typeof(IRegistryStore)).Should().Be(1);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IRegistryStore>().Should().BeOfType<SqliteRegistryStore>();
    }

    [Theory]
    [InlineData("", "ConnectionString")]
    [InlineData("Data Source=", "no Data Source")]
    [InlineData("Data Source=x.db;Bogus Keyword=1", "Bogus Keyword")]
    [InlineData("Data Source=x.db;Password=secret", "Password")]
    public void A_bad_connection_string_fails_at_start_up_naming_the_option_and_value(string connectionString, string expected)
    {
        var services = new ServiceCollection();
        services.AddModelRegistry().UseSqlite(connectionString);
        using var provider = services.BuildServiceProvider();

        var validate = () => provider.GetRequiredService<IStartupValidator>().Validate();

        validate.Should().Throw<OptionsValidationException>()
            .Which.Message.Should().Contain("SqliteStoreOptions.ConnectionString").And.Contain(expected);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1000)]
    [InlineData(3_600_000)]
    public void A_busy_timeout_out_of_range_fails_at_start_up_naming_the_option_and_value(int milliseconds)
    {
        var services = new ServiceCollection();
        services.AddModelRegistry().UseSqlite(o =>
        {
            o.ConnectionString = _file.ConnectionString;
            o.BusyTimeout = TimeSpan.FromMilliseconds(milliseconds);
        });
        using var provider = services.BuildServiceProvider();

        var validate = () => provider.GetRequiredService<IStartupValidator>().Validate();

        validate.Should().Throw<OptionsValidationException>()
            .Which.Message.Should().Contain("SqliteStoreOptions.BusyTimeout").And.Contain(TimeSpan.FromMilliseconds(milliseconds).ToString());
        File.Exists(_file.Path).Should().BeFalse("nothing is created when the options are invalid");
    }

    [Fact]
    public void An_undefined_durability_fails_at_start_up()
    {
        var services = new ServiceCollection();
        services.AddModelRegistry().UseSqlite(o =>
        {
            o.ConnectionString = _file.ConnectionString;
            o.Durability = (SqliteDurability)7;
        });
        using var provider = services.BuildServiceProvider();

        var validate = () => provider.GetRequiredService<IStartupValidator>().Validate();

        validate.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("SqliteStoreOptions.Durability is 7");
    }

    [Fact]
    public void The_factory_without_dependency_injection_validates_the_same_way()
    {
        var open = () => SqliteRegistryStore.Open(new SqliteStoreOptions { ConnectionString = " " });

        var error = open.Should().Throw<ModelRegistryException>().Which;
        error.Code.Should().Be(ErrorCode.InvalidArgument);
        error.Message.Should().Contain("SqliteStoreOptions.ConnectionString");
    }

    [Fact]
    public async Task Both_durability_settings_store_and_read_back()
    {
        foreach (var durability in Enum.GetValues<SqliteDurability>())
        {
            using var file = new TempStoreFile();
            using var store = file.Open(o => o.Durability = durability);
            await store.CommitAsync(Records.Tx(new PutModel(Records.Model("m"), 0)), CancellationToken.None);
            (await store.FindModelAsync("m", CancellationToken.None)).Should().NotBeNull();
        }
    }
}
