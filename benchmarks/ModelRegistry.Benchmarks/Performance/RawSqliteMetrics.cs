using Microsoft.Data.Sqlite;
using ModelRegistry.Performance;

namespace ModelRegistry.Benchmarks.Performance;

/// <summary>
/// The raw SQLite baseline for metric points: the table and indexes the registry's adapter uses (so both sides write
/// the same b-trees), one reused prepared <c>INSERT</c>, one <c>BEGIN IMMEDIATE … COMMIT</c> per batch, and the same
/// durability and page cache as the registry's connections (WAL, <c>synchronous=FULL</c>, 8 MiB).
/// </summary>
public sealed class RawSqliteMetrics : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter[] _parameters;

    public RawSqliteMetrics(string path)
    {
        _connection = Sqlite.RawSqlite.OpenConnection(path);
        Execute("""
            CREATE TABLE IF NOT EXISTS metric_points (
                model TEXT NOT NULL, version TEXT NOT NULL, binding TEXT, metric TEXT NOT NULL, ts INTEGER NOT NULL,
                value NOT NULL, unit TEXT, request_id TEXT, dimensions TEXT)
            """);
        Execute("CREATE INDEX IF NOT EXISTS ix_metric_points_series_ts ON metric_points (model, version, metric, ts)");
        Execute("CREATE INDEX IF NOT EXISTS ix_metric_points_ts ON metric_points (ts)");
        _insert = _connection.CreateCommand();
        _insert.CommandText = "INSERT INTO metric_points (model, version, binding, metric, ts, value, unit, request_id, dimensions) VALUES ($m, $v, $b, $k, $t, $x, $u, $r, $d)";
        _parameters = [.. new[] { "$m", "$v", "$b", "$k", "$t", "$x", "$u", "$r", "$d" }.Select(n => _insert.Parameters.Add(new SqliteParameter(n, DBNull.Value)))];
        _insert.Prepare();
    }

    /// <summary>Inserts one batch in one durable transaction: the rows of the given points, column for column as the registry stores them.</summary>
    public void Insert(MetricPoint[] batch, int firstIndex)
    {
        Execute("BEGIN IMMEDIATE");
        var p = _parameters;
        p[0].Value = MetricWorkload.Model;
        p[1].Value = MetricWorkload.Version;
        p[2].Value = DBNull.Value;
        p[3].Value = MetricWorkload.Metric;
        for (var k = 0; k < batch.Length; k++)
        {
            var point = batch[k];
            p[4].Value = point.Timestamp!.Value.UtcTicks;
            p[5].Value = point.Value;
            p[6].Value = point.Unit;
            p[7].Value = point.RequestId;
            p[8].Value = MetricWorkload.RegionJson[MetricWorkload.Region(firstIndex + k)];
            _insert.ExecuteNonQuery();
        }

        Execute("COMMIT");
    }

    /// <summary>The hand-written statistics: read the window's values with one SELECT, sort, take the nearest ranks.</summary>
    public (long Count, double Mean, double P50, double P95, double P99) Statistics(string table, string model, string version, string metric, long from, long to)
    {
        using var select = _connection.CreateCommand();
        select.CommandText = $"SELECT value FROM {table} WHERE model = $m AND version = $v AND metric = $k AND ts >= $f AND ts < $t";
        select.Parameters.AddWithValue("$m", model);
        select.Parameters.AddWithValue("$v", version);
        select.Parameters.AddWithValue("$k", metric);
        select.Parameters.AddWithValue("$f", from);
        select.Parameters.AddWithValue("$t", to);
        var values = new List<double>();
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                values.Add(reader.GetDouble(0));
            }
        }

        return RawStatistics.Of(values);
    }

    public void Dispose()
    {
        _insert.Dispose();
        _connection.Dispose();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

/// <summary>The raw baselines' statistics: sort every value, mean by summation, nearest-rank percentiles.</summary>
internal static class RawStatistics
{
    public static (long Count, double Mean, double P50, double P95, double P99) Of(List<double> values)
    {
        var sorted = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values);
        sorted.Sort();
        var sum = 0.0;
        foreach (var v in sorted)
        {
            sum += v;
        }

        if (sorted.Length == 0)
        {
            return default;
        }

        var n = sorted.Length;
        int Rank(double q) => Math.Max(1, (int)Math.Ceiling(q * n)) - 1;
        return (n, sum / n, sorted[Rank(0.5)], sorted[Rank(0.95)], sorted[Rank(0.99)]);
    }
}
