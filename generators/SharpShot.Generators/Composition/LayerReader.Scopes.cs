using Microsoft.CodeAnalysis;
using SharpShot.Generators.Helpers;
using SharpShot.Generators.Layers;
using SharpShot.Generators.Model;

namespace SharpShot.Generators.Composition;

// What a reading carries: the expansion it belongs to, the list of attributes being read, the attribute at hand.
internal sealed partial class LayerReader
{
    /// <summary>
    /// One reading of a class's layers with all it inserts: the parsed model, a model it uses (which is read, counted and
    /// reported on its own), or a block checked on its own. The blocks it inserts share it.
    /// </summary>
    private sealed class Expansion
    {
        public Expansion(List<DiagnosticInfo> diagnostics) => Diagnostics = diagnostics;

        /// <summary>Where problems are reported.</summary>
        public List<DiagnosticInfo> Diagnostics { get; }

        /// <summary>The layers added so far, containers and used models' layers included; at most <see cref="MaxLayers"/>.</summary>
        public int LayerCount { get; set; }

        /// <summary>True once <see cref="LayerCount"/> went over <see cref="MaxLayers"/> (reported the first time).</summary>
        public bool TooManyLayers { get; set; }

        /// <summary>True once the nesting went deeper than <see cref="MaxDepth"/>, here or in a model it uses.</summary>
        public bool TooDeep { get; set; }

        /// <summary>True once a class it inserts, or one a model it uses inserts, turned out to have mistakes of its own.</summary>
        public bool InsertedClassFailed { get; set; }

        /// <summary>Takes in what the reading of a model it uses found that concerns this one too.</summary>
        public void Include(Expansion used)
        {
            TooDeep |= used.TooDeep;
            InsertedClassFailed |= used.InsertedClassFailed;
        }
    }

    /// <summary>
    /// One list of layer attributes being read: the class declaring it, how its layer names are checked, where and how
    /// problems are reported, and the chain of lists whose compositions inserted it.
    /// </summary>
    private sealed class Scope
    {
        private Scope(INamedTypeSymbol owner, INameScope names, string? prefix, LocationInfo? location, Scope? parent, Expansion expansion)
        {
            Owner = owner;
            Names = names;
            Prefix = prefix;
            Location = location;
            Parent = parent;
            Expansion = expansion;
            Depth = parent is null ? 0 : parent.Depth + 1;
        }

        /// <summary>The model or block class.</summary>
        public INamedTypeSymbol Owner { get; }

        /// <summary>Its layers' name checks.</summary>
        public INameScope Names { get; }

        /// <summary>
        /// Null when reading the class's own declaration; inside a block where a model inserts it, the path to it,
        /// e.g. <c>Layer 1 'Repeat(typeof(ConvBlock), 2)', block ConvBlock (repetition 2 of 2)</c>.
        /// </summary>
        public string? Prefix { get; }

        /// <summary>Null to report at each attribute; inside an inserted block, the model's attribute that inserted it.</summary>
        public LocationInfo? Location { get; }

        /// <summary>The list whose composition inserted this one; null for a class read on its own.</summary>
        public Scope? Parent { get; }

        /// <summary>The reading it belongs to.</summary>
        public Expansion Expansion { get; }

        /// <summary>How many blocks and used models it is nested in.</summary>
        public int Depth { get; }

        /// <summary>A class read on its own: the parsed model, or a block checked without an input.</summary>
        public static Scope Own(INamedTypeSymbol owner, INameScope names, Expansion expansion) => new(owner, names, null, null, null, expansion);

        /// <summary>The layers of <paramref name="block"/>, inserted by a composition of this list and reported there.</summary>
        public Scope Inserting(INamedTypeSymbol block, string prefix, LocationInfo? location) => new(block, new BlockNames(), prefix, location, this, Expansion);

        /// <summary>The layers of <paramref name="model"/>, used by a [Use] of this list: read as its own declaration, in a reading of its own.</summary>
        public Scope Using(INamedTypeSymbol model, INameScope names, Expansion expansion) => new(model, names, null, null, this, expansion);

        /// <summary>True when <paramref name="type"/> is this list's class or one whose list inserted it: inserting it again would never end.</summary>
        public bool Encloses(INamedTypeSymbol type) => SymbolEqualityComparer.Default.Equals(Owner, type) || (Parent?.Encloses(type) ?? false);
    }

    /// <summary>One layer attribute being read, and where and how its problems are reported.</summary>
    private sealed class Use
    {
        public Use(AttributeData attribute, int position, string declaration, Scope scope, LocationInfo? ownLocation)
        {
            Attribute = attribute;
            Position = position;
            Declaration = declaration;
            Scope = scope;
            Location = scope.Prefix is null ? ownLocation : scope.Location;
            Subject = scope.Prefix is null
                ? $"Layer {CSharpText.Int(position)} '{declaration}'"
                : $"{scope.Prefix}, layer {CSharpText.Int(position)} '{declaration}'";
        }

        public AttributeData Attribute { get; }

        public int Position { get; }

        public string Declaration { get; }

        public Scope Scope { get; }

        public Expansion Expansion => Scope.Expansion;

        /// <summary>Where its problems are reported.</summary>
        public LocationInfo? Location { get; }

        /// <summary>How messages name it, e.g. <c>Layer 2 'Dense(10)'</c>.</summary>
        public string Subject { get; }

        /// <summary>Reports <paramref name="descriptor"/> with the subject as its first argument, followed by <paramref name="arguments"/>.</summary>
        public void Report(DiagnosticDescriptor descriptor, params object[] arguments) =>
            Expansion.Diagnostics.Add(DiagnosticInfo.Create(descriptor, Location, new object[] { Subject }.Concat(arguments).ToArray()));

        /// <summary>Reports SS0004 ("{what} must be {constraint}, but is {actual}") unless <paramref name="condition"/> holds.</summary>
        public void Require(bool condition, string what, string constraint, string actual)
        {
            if (!condition)
            {
                Report(DiagnosticDescriptors.OutOfRange, what, constraint, actual);
            }
        }
    }
}
