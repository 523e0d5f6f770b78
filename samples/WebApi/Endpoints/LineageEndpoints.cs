using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ModelRegistry.Lineage;

namespace ModelRegistry.Samples.WebApi.Endpoints;

/// <summary>
/// Lineage: nodes, edges, traversals, impact, provenance, paths and graph export. Node ids carry <c>:</c> and
/// <c>/</c> (<c>version:fraud-detector/1.2.0</c>), so they travel in the query string, not the path.
/// </summary>
internal static class LineageEndpoints
{
    public static void MapLineageEndpoints(this IEndpointRouteBuilder app)
    {
        var lineage = app.MapGroup("/api/lineage").WithTags("Lineage").WithRegistryProblems();

        lineage.MapPost("/nodes", async (RecordNodeRequest request, ILineageTracker tracker, CancellationToken ct)
            => TypedResults.Ok(await tracker.RecordNodeAsync(request, ct)))
            .WithName("RecordLineageNode").WithSummary("Records (or updates) a dataset, run, evaluation, deployment, consumer or custom node.");

        lineage.MapGet("/nodes", async ([FromQuery] string id, ILineageTracker tracker, CancellationToken ct)
            => TypedResults.Ok(await tracker.GetNodeAsync(id, ct)))
            .WithName("GetLineageNode");

        lineage.MapPost("/edges", async (LinkRequest request, ILineageTracker tracker, CancellationToken ct)
            => TypedResults.Ok(await tracker.LinkAsync(request, ct)))
            .WithName("LinkLineageNodes");

        lineage.MapDelete("/edges", async ([FromQuery] string from, [FromQuery] LineageEdgeKind kind, [FromQuery] string to, [FromQuery(Name = "custom_kind")] string? customKind, ILineageTracker tracker, CancellationToken ct)
            => TypedResults.Ok(await tracker.UnlinkAsync(new LinkRequest(from, kind, to) { CustomKind = customKind }, ct)))
            .WithName("UnlinkLineageNodes").WithSummary("Removes an edge; the graph as of earlier times still shows it.");

        lineage.MapGet("/upstream", async ([AsParameters] TraversalParameters p, ILineageTracker tracker, CancellationToken ct)
            => TypedResults.Ok(await tracker.GetUpstreamAsync(p.Node, p.ToQuery(), ct)))
            .WithName("GetUpstreamLineage");

        lineage.MapGet("/downstream", async ([AsParameters] TraversalParameters p, ILineageTracker tracker, CancellationToken ct)
            => TypedResults.Ok(await tracker.GetDownstreamAsync(p.Node, p.ToQuery(), ct)))
            .WithName("GetDownstreamLineage");

        lineage.MapGet("/graph", async ([AsParameters] TraversalParameters p, ILineageTracker tracker, CancellationToken ct)
            => TypedResults.Ok(await tracker.GetLineageAsync(p.Node, p.ToQuery(), ct)))
            .WithName("GetFullLineage").WithSummary("Upstream and downstream of a node together.");

        lineage.MapGet("/impact", async ([AsParameters] TraversalParameters p, ILineageTracker tracker, CancellationToken ct)
            => TypedResults.Ok(await tracker.AnalyzeImpactAsync(p.Node, p.ToQuery(), ct)))
            .WithName("AnalyzeImpact").WithSummary("What a problem in this node affects downstream, by serving stage.");

        lineage.MapGet("/provenance", async ([AsParameters] TraversalParameters p, ILineageTracker tracker, CancellationToken ct)
            => TypedResults.Ok(await tracker.GetProvenanceAsync(p.Node, p.ToQuery(), ct)))
            .WithName("GetProvenance").WithSummary("The datasets a node comes from, with licences and personal-data declarations.");

        lineage.MapGet("/path", async Task<Results<Ok<LineagePath>, NotFound>> ([FromQuery] string from, [FromQuery] string to, [FromQuery] LineageDirection? direction, [FromQuery] int? depth, ILineageTracker tracker, CancellationToken ct)
            => await tracker.FindPathAsync(from, to, direction ?? LineageDirection.Both, new LineageQuery { MaxDepth = depth }, ct) is { } path
                ? TypedResults.Ok(path)
                : TypedResults.NotFound())
            .WithName("FindLineagePath").WithSummary("The shortest path between two nodes; 404 without a body when none exists within the depth.");

        lineage.MapGet("/export", ExportAsync)
            .WithName("ExportLineage").WithSummary("The graph around a node (or the whole graph) as JSON, Graphviz DOT or Mermaid.");
    }

    private static async Task<ContentHttpResult> ExportAsync(
        [FromQuery] LineageExportFormat format,
        [FromQuery] string? node,
        [FromQuery] LineageDirection? direction,
        [FromQuery] int? depth,
        ILineageTracker tracker,
        CancellationToken ct)
    {
        LineageGraph? graph = null;
        if (node is not null)
        {
            var query = new LineageQuery { MaxDepth = depth };
            graph = direction switch
            {
                LineageDirection.Upstream => await tracker.GetUpstreamAsync(node, query, ct),
                LineageDirection.Downstream => await tracker.GetDownstreamAsync(node, query, ct),
                _ => await tracker.GetLineageAsync(node, query, ct),
            };
        }

        using var text = new StringWriter();
        await tracker.ExportAsync(text, format, graph, ct);
        var contentType = format switch
        {
            LineageExportFormat.Json => "application/json; charset=utf-8",
            LineageExportFormat.Dot => "text/vnd.graphviz; charset=utf-8",
            _ => "text/plain; charset=utf-8",
        };
        return TypedResults.Content(text.ToString(), contentType);
    }

    /// <summary>The node to start from and the limits of a traversal.</summary>
    internal sealed record TraversalParameters(
        [FromQuery(Name = "node")] string Node,
        [FromQuery(Name = "depth")] int? Depth,
        [FromQuery(Name = "edge_kind")] LineageEdgeKind[]? EdgeKinds,
        [FromQuery(Name = "node_kind")] LineageNodeKind[]? NodeKinds,
        [FromQuery(Name = "as_of")] DateTimeOffset? AsOf)
    {
        public LineageQuery ToQuery() => new()
        {
            MaxDepth = Depth,
            EdgeKinds = EdgeKinds is { Length: > 0 } ? EdgeKinds : null,
            NodeKinds = NodeKinds is { Length: > 0 } ? NodeKinds : null,
            AsOf = AsOf,
        };
    }
}
