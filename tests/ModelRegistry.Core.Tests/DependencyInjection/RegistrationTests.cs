using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Storage;

namespace ModelRegistry.Core.Tests.DependencyInjection;

public sealed class RegistrationTests
{
    [Fact]
    public void AddModelRegistry_registers_the_services_with_the_in_memory_store()
    {
        var services = new ServiceCollection();
        services.AddModelRegistry();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<IModelRegistry>().Should().NotBeNull();
        provider.GetRequiredService<IAuditTrail>().Should().NotBeNull();
        provider.GetRequiredService<IRegistryStore>().Should().BeOfType<InMemoryRegistryStore>();
    }

    [Theory]
    [InlineData(0, "DefaultRetentionKeepLast")]
    [InlineData(11, "DefaultRetentionKeepLast")]
    public void Bad_options_fail_when_the_registry_is_resolved_naming_the_option(int keep, string option)
    {
        var services = new ServiceCollection();
        services.AddModelRegistry(o => o.DefaultRetentionKeepLast = keep);
        using var provider = services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IModelRegistry>();
        act.Should().Throw<OptionsValidationException>().WithMessage($"*{option}*{keep}*");
    }

    [Fact]
    public async Task Time_and_actor_are_replaceable_before_or_after_registration()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddModelRegistry().UseActor("pipeline-bot");
        await using var provider = services.BuildServiceProvider();
        var model = await provider.GetRequiredService<IModelRegistry>().RegisterModelAsync(new RegisterModelRequest { Name = "m", Owners = ["o"] });
        model.CreatedAt.Should().Be(time.GetUtcNow());
        model.CreatedBy.Should().Be("pipeline-bot");
    }

    [Fact]
    public async Task Timestamps_are_truncated_to_milliseconds_so_every_store_round_trips_them()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero).AddTicks(1234));
        await using var mr = ModelRegistryServices.Create(timeProvider: time);
        var model = await mr.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m", Owners = ["o"] });
        model.CreatedAt.Ticks.Should().Be(new DateTimeOffset(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero).Ticks);
    }
}
