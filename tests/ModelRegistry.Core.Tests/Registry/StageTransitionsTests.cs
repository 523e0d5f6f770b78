using ModelRegistry.Registry;

namespace ModelRegistry.Core.Tests.Registry;

public sealed class StageTransitionsTests
{
    public static TheoryData<ModelStage, ModelStage, bool> Table()
    {
        var allowed = new HashSet<(ModelStage, ModelStage)>
        {
            (ModelStage.Development, ModelStage.Staging), (ModelStage.Development, ModelStage.Deprecated), (ModelStage.Development, ModelStage.Archived),
            (ModelStage.Staging, ModelStage.Development), (ModelStage.Staging, ModelStage.Canary), (ModelStage.Staging, ModelStage.Production),
            (ModelStage.Staging, ModelStage.Deprecated), (ModelStage.Staging, ModelStage.Archived),
            (ModelStage.Canary, ModelStage.Staging), (ModelStage.Canary, ModelStage.Production), (ModelStage.Canary, ModelStage.Deprecated), (ModelStage.Canary, ModelStage.Archived),
            (ModelStage.Production, ModelStage.Deprecated), (ModelStage.Production, ModelStage.Archived),
            (ModelStage.Deprecated, ModelStage.Archived),
            (ModelStage.Archived, ModelStage.Staging),
            (ModelStage.RolledBack, ModelStage.Staging), (ModelStage.RolledBack, ModelStage.Archived),
        };
        var data = new TheoryData<ModelStage, ModelStage, bool>();
        foreach (var from in Enum.GetValues<ModelStage>())
        {
            foreach (var to in Enum.GetValues<ModelStage>())
            {
                data.Add(from, to, allowed.Contains((from, to)));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Every_pair_of_stages_is_decided_by_the_table(ModelStage from, ModelStage to, bool expected)
        => StageTransitions.IsAllowed(from, to).Should().Be(expected);

    [Fact]
    public void Nothing_moves_into_rolled_back_or_development_from_production()
    {
        Enum.GetValues<ModelStage>().Should().OnlyContain(s => !StageTransitions.IsAllowed(s, ModelStage.RolledBack));
        StageTransitions.AllowedFrom(ModelStage.Production).Should().NotContain(ModelStage.Development);
    }
}
