namespace ModelRegistry.Lineage;

/// <summary>What a lineage node stands for. Each kind has a fixed id prefix (see <see cref="LineageNodeIds"/>).</summary>
public enum LineageNodeKind
{
    /// <summary>A model version of the registry (<c>version:fraud-detector/1.2.0</c>); the registry owns its data, the node only refers to it.</summary>
    ModelVersion = 0,

    /// <summary>A registered model (<c>model:fraud-detector</c>); the registry owns its data.</summary>
    Model = 1,

    /// <summary>A dataset (<c>dataset:customers-2026</c>), described by <see cref="DatasetDetails"/>.</summary>
    Dataset = 2,

    /// <summary>A training run (<c>run:2026-03-01-a</c>), described by <see cref="TrainingRunDetails"/>.</summary>
    TrainingRun = 3,

    /// <summary>An evaluation (<c>evaluation:fairness-q1</c>), described by <see cref="EvaluationDetails"/>.</summary>
    Evaluation = 4,

    /// <summary>A deployment (<c>deployment:fraud-eu-prod</c>), described by <see cref="DeploymentDetails"/>.</summary>
    Deployment = 5,

    /// <summary>An application or feature that calls a model (<c>consumer:checkout-service</c>), described by <see cref="ConsumerDetails"/>.</summary>
    Consumer = 6,

    /// <summary>A host-defined kind named by <see cref="LineageNode.CustomKind"/>; its id prefix is that name.</summary>
    Custom = 7,
}

/// <summary>
/// The relation an edge states. <b>Every edge points from the dependent node to the node it depends on</b>:
/// read <c>From --Kind--&gt; To</c> as "From depends on To". Following out-edges therefore walks <i>upstream</i>
/// (towards data and parents), following in-edges walks <i>downstream</i> (towards what is affected).
/// </summary>
/// <remarks>
/// <see cref="DerivedFrom"/>, <see cref="TrainedOn"/> and <see cref="FineTunedFrom"/> together must stay acyclic; a link that
/// would close a cycle is refused. The other kinds may form cycles; traversals never loop.
/// </remarks>
public enum LineageEdgeKind
{
    /// <summary>A version or run was trained on a dataset: <c>version -TrainedOn-&gt; dataset</c>, <c>run -TrainedOn-&gt; dataset</c>. Acyclic.</summary>
    TrainedOn = 0,

    /// <summary>A version or dataset was derived from another one: <c>version:b -DerivedFrom-&gt; version:a</c>. Acyclic.</summary>
    DerivedFrom = 1,

    /// <summary>An evaluation was run on a dataset or evaluates a version: <c>evaluation -EvaluatedOn-&gt; dataset</c>, <c>evaluation -EvaluatedOn-&gt; version</c>.</summary>
    EvaluatedOn = 2,

    /// <summary>A deployment serves a version (the version is deployed to it): <c>deployment -DeployedTo-&gt; version</c>.</summary>
    DeployedTo = 3,

    /// <summary>A version (or dataset) was produced by a run: <c>version -ProducedBy-&gt; run</c>.</summary>
    ProducedBy = 4,

    /// <summary>An old version or model is replaced by a new one: <c>version:old -ReplacedBy-&gt; version:new</c>. Informational: impact analysis does not follow it by default.</summary>
    ReplacedBy = 5,

    /// <summary>A consumer calls a deployment, version or model: <c>consumer -Consumes-&gt; deployment</c>.</summary>
    Consumes = 6,

    /// <summary>A version was fine-tuned from another: <c>version:tuned -FineTunedFrom-&gt; version:base</c>. Acyclic.</summary>
    FineTunedFrom = 7,

    /// <summary>A host-defined relation named by <see cref="LineageEdge.CustomKind"/>, with the same direction rule.</summary>
    Custom = 8,
}

/// <summary>Which way a traversal walks.</summary>
public enum LineageDirection
{
    /// <summary>Towards what the start depends on (follows edges from <see cref="LineageEdge.From"/> to <see cref="LineageEdge.To"/>).</summary>
    Upstream = 0,

    /// <summary>Towards what depends on the start (follows edges from <see cref="LineageEdge.To"/> to <see cref="LineageEdge.From"/>).</summary>
    Downstream = 1,

    /// <summary>Both: the start's ancestors and its descendants (not their siblings). For paths: edges in either direction.</summary>
    Both = 2,
}

/// <summary>Formats a lineage graph can be exported to.</summary>
public enum LineageExportFormat
{
    /// <summary>JSON: <c>{"nodes":[{"id","kind","label",...}],"edges":[{"source","target","kind",...}]}</c>.</summary>
    Json = 0,

    /// <summary>Graphviz DOT (<c>digraph</c>).</summary>
    Dot = 1,

    /// <summary>Mermaid (<c>flowchart LR</c>).</summary>
    Mermaid = 2,
}

/// <summary>
/// How serious it is that an item is affected, in impact-analysis order: production first, then canary, staging, other.
/// </summary>
public enum ImpactStage
{
    /// <summary>A production version, a production deployment, or a consumer of one.</summary>
    Production = 0,

    /// <summary>A canary version or deployment, or a consumer of one.</summary>
    Canary = 1,

    /// <summary>A staging version or deployment, or a consumer of one.</summary>
    Staging = 2,

    /// <summary>Anything else (development, archived, unknown environment, no deployment on the path).</summary>
    Other = 3,
}
