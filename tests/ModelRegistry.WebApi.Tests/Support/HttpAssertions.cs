using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ModelRegistry.WebApi.Tests.Support;

/// <summary>Reads responses as JSON and asserts their status, showing the body when it is not the expected one.</summary>
public static class HttpAssertions
{
    public static async Task<JsonNode> ShouldHaveStatus(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(expected, "the body was: {0}", body);
        return body.Length == 0 ? new JsonObject() : JsonNode.Parse(body)!;
    }

    public static async Task<JsonNode> ShouldHaveStatus(this Task<HttpResponseMessage> response, HttpStatusCode expected)
        => await (await response).ShouldHaveStatus(expected);

    /// <summary>Asserts an RFC 9457 problem with the library's error code, a message and a trace id.</summary>
    public static async Task<JsonNode> ShouldBeProblem(this Task<HttpResponseMessage> pending, HttpStatusCode expected, string code)
    {
        var response = await pending;
        var problem = await response.ShouldHaveStatus(expected);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        problem["status"]!.GetValue<int>().Should().Be((int)expected);
        problem["code"]!.GetValue<string>().Should().Be(code);
        problem["title"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
        problem["detail"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
        problem["traceId"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
        problem["details"].Should().BeOfType<JsonObject>();
        return problem;
    }

    public static Task<HttpResponseMessage> Post(this HttpClient client, string uri, object body) => client.PostAsJsonAsync(uri, body);

    public static Task<HttpResponseMessage> Put(this HttpClient client, string uri, object body) => client.PutAsJsonAsync(uri, body);

    public static Task<HttpResponseMessage> Patch(this HttpClient client, string uri, object body) => client.PatchAsJsonAsync(uri, body);

    public static string Text(this JsonNode? node) => node!.GetValue<string>();
}
