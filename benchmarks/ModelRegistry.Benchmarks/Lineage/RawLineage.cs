using Microsoft.Data.Sqlite;
using QuikGraph;

namespace ModelRegistry.Benchmarks.Lineage;

/// <summary>
/// The raw baselines for lineage: what a developer would write by hand with Microsoft.Data.Sqlite and QuikGraph. The
/// edges live in one narrow table (<see cref="Seed"/>); <see cref="LoadEdges"/> reads them into a plain list;
/// <see cref="BuildGraph"/> puts them into a plain <see cref="BidirectionalGraph{TVertex, TEdge}"/> of node-id strings
/// and QuikGraph's own <see cref="Edge{TVertex}"/>; the traversals are hand-written breadth-first searches on it.
/// </summary>
internal static class RawLineage
{
    /// <summary>Creates the raw file: one row per edge with its id, ends, kind, creation time and actor.</summary>
    public static void Seed(string path, IReadOnlyList<GeneratedEdge> edges)
    {
        using var connection = Open(path);
        Execute(connection, "PRAGMA journal_mode = WAL");
        Execute(connection, "CREATE TABLE edges (id BLOB NOT NULL PRIMARY KEY, from_id TEXT NOT NULL, to_id TEXT NOT NULL, kind INTEGER NOT NULL, created_at INTEGER NOT NULL, created_by TEXT NOT NULL)");
        Execute(connection, "CREATE INDEX ix_edges_from ON edges (from_id)");
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO edges VALUES ($id, $from, $to, $kind, $at, $by)";
        var parameters = new[] { "$id", "$from", "$to", "$kind", "$at", "$by" }.Select(n => insert.Parameters.Add(new SqliteParameter { ParameterName = n })).ToArray();
        foreach (var edge in edges)
        {
            parameters[0].Value = edge.Id.ToByteArray();
            parameters[1].Value = edge.From;
            parameters[2].Value = edge.To;
            parameters[3].Value = (long)edge.Kind;
            parameters[4].Value = edge.CreatedTicks;
            parameters[5].Value = edge.CreatedBy;
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>One <c>SELECT</c> of every edge row into a plain list.</summary>
    public static List<RawEdgeRow> LoadEdges(string path)
    {
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, from_id, to_id, kind, created_at, created_by FROM edges";
        using var reader = command.ExecuteReader();
        var rows = new List<RawEdgeRow>();
        while (reader.Read())
        {
            rows.Add(new RawEdgeRow(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt64(4), reader.GetString(5)));
        }

        return rows;
    }

    /// <summary>A plain QuikGraph graph of the edges: vertices are node ids, edges QuikGraph's <see cref="Edge{TVertex}"/>.</summary>
    public static BidirectionalGraph<string, Edge<string>> BuildGraph(IEnumerable<(string From, string To)> edges)
    {
        var graph = new BidirectionalGraph<string, Edge<string>>(allowParallelEdges: true);
        foreach (var (from, to) in edges)
        {
            graph.AddVerticesAndEdge(new Edge<string>(from, to));
        }

        return graph;
    }

    /// <summary>Breadth-first downstream (against the edges' direction) up to <paramref name="maxDepth"/> edges: nodes with their depth, and the edges walked.</summary>
    public static (Dictionary<string, int> Depth, List<Edge<string>> Edges) Downstream(BidirectionalGraph<string, Edge<string>> graph, string start, int maxDepth)
    {
        var depth = new Dictionary<string, int> { [start] = 0 };
        var edges = new List<Edge<string>>();
        var frontier = new List<string> { start };
        var next = new List<string>();
        for (var d = 0; d < maxDepth && frontier.Count > 0; d++)
        {
            foreach (var u in frontier)
            {
                foreach (var e in graph.InEdges(u))
                {
                    edges.Add(e);
                    if (depth.TryAdd(e.Source, d + 1))
                    {
                        next.Add(e.Source);
                    }
                }
            }

            (frontier, next) = (next, frontier);
            next.Clear();
        }

        return (depth, edges);
    }

    /// <summary>
    /// Impact by hand: breadth-first downstream up to <paramref name="maxDepth"/> edges with parent links, then for every
    /// reached version, deployment or consumer the path from the start (nodes and edges).
    /// </summary>
    public static List<(string Node, List<string> Nodes, List<Edge<string>> Edges)> Impact(BidirectionalGraph<string, Edge<string>> graph, string start, int maxDepth)
    {
        var parent = new Dictionary<string, (string? Parent, Edge<string>? Via, int Depth)> { [start] = (null, null, 0) };
        var queue = new Queue<string>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var u = queue.Dequeue();
            var d = parent[u].Depth;
            if (d == maxDepth)
            {
                continue;
            }

            foreach (var e in graph.InEdges(u))
            {
                if (parent.TryAdd(e.Source, (u, e, d + 1)))
                {
                    queue.Enqueue(e.Source);
                }
            }
        }

        var items = new List<(string, List<string>, List<Edge<string>>)>();
        foreach (var (node, _) in parent)
        {
            if (node == start || !LineageGraphData.IsImpactKind(node))
            {
                continue;
            }

            var nodes = new List<string>();
            var edges = new List<Edge<string>>();
            for (var v = node; v is not null; v = parent[v].Parent)
            {
                nodes.Add(v);
                if (parent[v].Via is { } via)
                {
                    edges.Add(via);
                }
            }

            nodes.Reverse();
            edges.Reverse();
            items.Add((node, nodes, edges));
        }

        return items;
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

/// <summary>An edge row as the raw baseline reads it.</summary>
internal sealed record RawEdgeRow(Guid Id, string From, string To, int Kind, long CreatedTicks, string CreatedBy);
