using Microsoft.Data.Sqlite;
using ModelRegistry.Registry;
using ModelRegistry.Search;
using ModelRegistry.Storage.Sqlite.Tests.Support;
using static ModelRegistry.Storage.Sqlite.Tests.Support.F;

namespace ModelRegistry.Storage.Sqlite.Tests;

/// <summary>
/// Hostile text through every filter field, as literal, pattern and key: the answers equal the reference store's,
/// and nothing in the file changes (filters are parameters, never SQL).
/// </summary>
public sealed class SqliteHostileInputTests
{
    private static readonly string[] Hostile =
    [
        "'; DROP TABLE models; --", "%", "_", "\\", "'", "''", "\"", "\0", "a\0b", "\U0001F600", "' OR '1'='1", "); DELETE FROM audit; --",
        "@p0", "$1", "?", ":name", "--", "/*", "*/", "\r\n", "`", "[x]", "%_\\%", "x' || (SELECT doc FROM models) || '",
        string.Concat(Enumerable.Repeat("x'_\\", 2_500)) + "%",
    ];

    [Fact]
    public async Task Hostile_strings_in_every_filter_field_return_the_reference_answer_and_change_nothing()
    {
        var models = Hostile.Select((s, i) => new RegisteredModel
        {
            Name = i % 3 == 0 ? s : $"model-{i}",
            Description = s,
            Owners = [s, "alice"],
            Tags = new Dictionary<string, string>(StringComparer.Ordinal) { [s] = s, ["team"] = s },
            CreatedBy = "t",
            UpdatedBy = "t",
            Revision = 1,
        }).DistinctBy(m => m.Name.ToUpperInvariant()).ToList();
        var versions = models.Select((m, i) => new ModelVersion
        {
            ModelName = m.Name,
            Version = SemanticVersion.Parse("1.0.0"),
            Description = m.Description,
            RunId = m.Description,
            SourceCommit = m.Description,
            Parameters = new Dictionary<string, string>(StringComparer.Ordinal) { [m.Description!] = m.Description!, ["lr"] = m.Description! },
            Metrics = new Dictionary<string, double>(StringComparer.Ordinal) { [m.Description!] = i },
            Tags = m.Tags,
            ProviderBindings = [new ProviderBinding { Id = "b", Provider = m.Description!, ProviderModelId = "x" }],
            ContentHash = new string('0', 64),
            CreatedBy = "t",
            UpdatedBy = "t",
            Revision = 1,
        }).ToList();

        await using var pair = await ReferencePair.CreateAsync(models, versions);
        var before = await FingerprintAsync(pair);

        foreach (var s in Hostile)
        {
            foreach (var field in new[] { Name, Description, Owner, Tag(s), Tag("team"), Provider, RunId, Commit, Param(s), Param("lr") })
            {
                FilterNode[] filters =
                [
                    Eq(field, s), Ne(field, s), Ge(field, s), Like(field, s), ILike(field, s), In(field, s, "alice"),
                    Or(IsNull(field), Like(field, s + "%")),
                ];
                foreach (var filter in filters)
                {
                    var (sqlite, reference) = await pair.VersionsAsync(filter, [Desc(field)], 1000);
                    sqlite.Should().Equal(reference, "versions where {0}", filter);
                    if (SearchFields.AppliesTo(field.Field, SearchTarget.Models))
                    {
                        (sqlite, reference) = await pair.ModelsAsync(filter, [Asc(field)], 1000);
                        sqlite.Should().Equal(reference, "models where {0}", filter);
                    }
                }
            }

            var metric = await pair.VersionsAsync(Ge(Metric(s), 0), [Asc(Metric(s))], 1000);
            metric.Sqlite.Should().Equal(metric.Reference);
        }

        (await FingerprintAsync(pair)).Should().Be(before);
    }

    private static async Task<string> FingerprintAsync(ReferencePair pair)
    {
        var models = await StoreSearch.Models(pair.Sqlite, null, limit: int.MaxValue);
        var versions = await StoreSearch.Versions(pair.Sqlite, null, limit: int.MaxValue);
        var sequence = await pair.Sqlite.GetChangeSequenceAsync(CancellationToken.None);
        using var connection = new SqliteConnection($"Data Source={pair.Sqlite.File};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema ORDER BY name)";
        var schema = (string)command.ExecuteScalar()!;
        command.CommandText = "SELECT (SELECT count(*) FROM model_tags) || '/' || (SELECT count(*) FROM model_owners) || '/' || (SELECT count(*) FROM version_attrs WHERE kind = 0) || '/' || (SELECT count(*) FROM version_attrs WHERE kind = 1) || '/' || (SELECT count(*) FROM version_attrs WHERE kind = 2) || '/' || (SELECT count(*) FROM version_providers) || '/' || (SELECT count(*) FROM audit)";
        var counts = (string)command.ExecuteScalar()!;
        return string.Join('|', models.Count, versions.Count, sequence, StoreSerializer.Serialize(models), StoreSerializer.Serialize(versions), schema, counts);
    }
}
