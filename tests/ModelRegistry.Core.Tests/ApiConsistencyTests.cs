using System.Reflection;
using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests;

/// <summary>EF Core's ApiConsistencyTestBase idea: rules of the public surface, checked by reflection.</summary>
public sealed class ApiConsistencyTests
{
    private static readonly Assembly Core = typeof(IModelRegistry).Assembly;

    private static IEnumerable<Type> PublicTypes => Core.GetExportedTypes();

    private static IEnumerable<MethodInfo> PublicMethods => PublicTypes
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
        .Where(m => !m.IsSpecialName && m.DeclaringType!.Assembly == Core);

    [Fact]
    public void Async_methods_end_in_Async_and_take_a_cancellation_token_last()
    {
        var offenders = PublicMethods
            .Where(m => typeof(Task).IsAssignableFrom(m.ReturnType) || (m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(ValueTask<>)) || m.ReturnType == typeof(ValueTask))
            .Where(m => m.Name != nameof(IAsyncDisposable.DisposeAsync))
            .Where(m => !m.Name.EndsWith("Async", StringComparison.Ordinal) || m.GetParameters().LastOrDefault()?.ParameterType != typeof(CancellationToken))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();
        offenders.Should().BeEmpty();
    }

    [Fact]
    public void Public_types_are_sealed_abstract_static_interfaces_records_enums_or_exceptions()
    {
        var offenders = PublicTypes
            .Where(t => t.IsClass && !t.IsSealed && !t.IsAbstract && !typeof(Exception).IsAssignableFrom(t))
            .Select(t => t.FullName)
            .ToList();
        offenders.Should().BeEmpty();
    }

    [Fact]
    public void No_third_party_type_appears_in_a_public_signature()
    {
        static bool Allowed(Type t)
        {
            if (t.IsGenericParameter)
            {
                return true;
            }

            if (t.HasElementType)
            {
                return Allowed(t.GetElementType()!);
            }

            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                return Allowed(t.GetGenericTypeDefinition()) && t.GetGenericArguments().All(Allowed);
            }

            var ns = t.Namespace ?? string.Empty;
            return ns.StartsWith("System", StringComparison.Ordinal) || ns.StartsWith("ModelRegistry", StringComparison.Ordinal) || ns.StartsWith("Microsoft.Extensions", StringComparison.Ordinal);
        }

        var offenders = new List<string>();
        foreach (var type in PublicTypes)
        {
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                IEnumerable<Type> types = member switch
                {
                    MethodInfo m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType),
                    PropertyInfo p => [p.PropertyType],
                    FieldInfo f => [f.FieldType],
                    ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
                    _ => [],
                };
                offenders.AddRange(types.Where(t => !Allowed(t)).Select(t => $"{type.Name}.{member.Name}: {t.FullName}"));
            }

            if (type.BaseType is { } b && !Allowed(b))
            {
                offenders.Add($"{type.Name} : {b.FullName}");
            }
        }

        offenders.Should().BeEmpty();
    }

    [Fact]
    public void Result_records_expose_read_only_collections()
    {
        var offenders = PublicTypes
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(p => (t, p)))
            .Where(x => x.p.PropertyType.IsGenericType && x.p.PropertyType.GetGenericTypeDefinition() is var g
                        && (g == typeof(List<>) || g == typeof(Dictionary<,>) || g == typeof(IList<>) || g == typeof(IDictionary<,>) || g == typeof(ICollection<>)))
            .Select(x => $"{x.t.Name}.{x.p.Name}")
            .ToList();
        offenders.Should().BeEmpty();
    }

    [Fact]
    public void Every_public_member_has_xml_documentation()
    {
        // The build enforces it (GenerateDocumentationFile + warnings as errors); this guards the setting itself.
        var xml = Path.ChangeExtension(Core.Location, ".xml");
        File.Exists(xml).Should().BeTrue("the XML documentation ships with the package");
        var documented = File.ReadAllText(xml);
        PublicTypes.Where(t => !documented.Contains($"\"T:{t.FullName!.Replace('+', '.')}\"", StringComparison.Ordinal))
            .Select(t => t.FullName).Should().BeEmpty();
    }
}
