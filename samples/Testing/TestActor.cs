namespace Testing;

/// <summary>
/// The "who is acting" fake: approvals need a requester and a different reviewer, so a test switches the actor
/// between steps. A web application maps its signed-in user instead.
/// </summary>
public sealed class TestActor : IActorAccessor
{
    public string CurrentActor { get; set; } = "data-scientist";
}
