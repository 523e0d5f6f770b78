using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using ModelRegistry.Registry;

namespace ModelRegistry.Samples.WebApi.Hosting;

/// <summary>
/// The API's JSON: camelCase properties, enums by name, semantic versions as their text (<c>"1.2.0"</c>), and the
/// lineage details' <c>$type</c> discriminator accepted anywhere in an object.
/// </summary>
internal static class JsonSetup
{
    public static IServiceCollection AddRegistryJson(this IServiceCollection services)
    {
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.Converters.Add(new SemanticVersionConverter());
            o.SerializerOptions.AllowOutOfOrderMetadataProperties = true;

            // A body without a positional record's required member is a 400, not a null handed to the library.
            o.SerializerOptions.RespectRequiredConstructorParameters = true;
        });
        return services;
    }

    /// <summary>Describes <see cref="SemanticVersion"/> in the OpenAPI document as the string it is written as.</summary>
    public static OpenApiOptions DescribeSemanticVersionAsString(this OpenApiOptions options)
        => options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(SemanticVersion))
            {
                schema.Type = JsonSchemaType.String;
                schema.Properties?.Clear();
                schema.Description = "A semantic version, for example 1.2.0 or 2.0.0-rc.1.";
            }

            return Task.CompletedTask;
        });

    private sealed class SemanticVersionConverter : JsonConverter<SemanticVersion>
    {
        public override SemanticVersion Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.TokenType == JsonTokenType.String && SemanticVersion.TryParse(reader.GetString(), out var version)
                ? version
                : throw new JsonException("Expected a semantic version string such as \"1.2.0\".");

        public override void Write(Utf8JsonWriter writer, SemanticVersion value, JsonSerializerOptions options)
            => writer.WriteStringValue(value.ToString());
    }
}
