namespace SharpShot.Generators;

/// <summary>Names of the pipeline's tracked steps, shared with the incrementality tests.</summary>
internal static class TrackingNames
{
    /// <summary>[Model] classes parsed into a model and diagnostics.</summary>
    public const string Parse = "SharpShot.Parse";

    /// <summary>The models without errors, which get a source file each.</summary>
    public const string Models = "SharpShot.Models";

    /// <summary>The diagnostics of each class, reported apart from the source so that a moved error does not re-emit code.</summary>
    public const string Diagnostics = "SharpShot.Diagnostics";

    /// <summary>The shape-independent diagnostics of each [Block] class.</summary>
    public const string BlockDiagnostics = "SharpShot.BlockDiagnostics";

    /// <summary>[MetaLearner] on classes that are not models.</summary>
    public const string MetaLearnerDiagnostics = "SharpShot.MetaLearnerDiagnostics";
}
