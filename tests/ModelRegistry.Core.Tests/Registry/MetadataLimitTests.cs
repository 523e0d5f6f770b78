using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Registry;

public sealed class MetadataLimitTests
{
    [Fact]
    public async Task Tags_and_parameters_over_MaxMetadataBytes_are_refused_and_change_nothing()
    {
        await using var mr = ModelRegistryServices.Create(options: o => o.MaxMetadataBytes = 2048);
        await mr.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "m", Owners = ["o"] });
        var big = new Dictionary<string, string> { ["a"] = new string('x', 1500), ["b"] = new string('y', 1500) };

        var tags = () => mr.Registry.RegisterModelAsync(new RegisterModelRequest { Name = "n", Owners = ["o"], Tags = big });
        (await tags.Should().ThrowAsync<ModelRegistryException>()).Which.Message.Should().Contain("MaxMetadataBytes");
        var parameters = () => mr.Registry.CreateVersionAsync("m", new CreateVersionRequest { Parameters = big });
        (await parameters.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.InvalidArgument);
        await mr.Registry.SetModelTagAsync("m", "a", new string('x', 1500));
        var oneMore = () => mr.Registry.SetModelTagAsync("m", "b", new string('y', 1500));
        await oneMore.Should().ThrowAsync<ModelRegistryException>();

        (await mr.Registry.GetModelAsync("m")).Tags.Keys.Should().Equal("a");
        (await mr.Registry.ListVersionsAsync("m")).Should().BeEmpty();
        var notRegistered = () => mr.Registry.GetModelAsync("n");
        (await notRegistered.Should().ThrowAsync<ModelRegistryException>()).Which.Code.Should().Be(ErrorCode.NotFound);
    }
}
