using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Registry;

public sealed class ModelUriTests
{
    [Theory]
    [InlineData("models:/fraud-detector/2.1.0", ModelUriKind.Version)]
    [InlineData("models:/fraud-detector@champion", ModelUriKind.Alias)]
    [InlineData("models:/fraud-detector/production", ModelUriKind.Stage)]
    [InlineData("models:/fraud-detector/Canary", ModelUriKind.Stage)]
    [InlineData("models:/fraud-detector/latest", ModelUriKind.Latest)]
    public void Parses_every_form(string text, ModelUriKind kind)
    {
        var uri = ModelUri.Parse(text);
        uri.Kind.Should().Be(kind);
        uri.ModelName.Should().Be("fraud-detector");
        ModelUri.Parse(uri.ToString()).Should().Be(uri);
    }

    [Theory]
    [InlineData("fraud-detector/1.0.0")]
    [InlineData("models:/fraud-detector")]
    [InlineData("models:/fraud-detector/")]
    [InlineData("models:/fraud detector/1.0.0")]
    [InlineData("models:/fraud-detector/1.0")]
    [InlineData("models:/fraud-detector/3")]
    [InlineData("models:/fraud-detector@")]
    [InlineData("models:/a/b/c")]
    public void Refuses_malformed_uris_with_the_typed_error(string text)
    {
        var act = () => ModelUri.Parse(text);
        act.Should().Throw<ModelRegistryException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }
}
