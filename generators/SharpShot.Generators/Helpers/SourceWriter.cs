using System.Text;

namespace SharpShot.Generators.Helpers;

/// <summary>
/// Builds generated source line by line with four-space indentation and '\n' line ends, so the
/// emitter reads as the code it writes and the output is identical on every platform.
/// </summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";

    private readonly StringBuilder _builder = new();
    private int _indentation;

    public void WriteLine()
    {
        _builder.Append('\n');
    }

    public void WriteLine(string line)
    {
        // Blank lines get no indentation, so the output has no trailing whitespace.
        if (line.Length > 0)
        {
            for (int i = 0; i < _indentation; i++)
            {
                _builder.Append(IndentUnit);
            }

            _builder.Append(line);
        }

        _builder.Append('\n');
    }

    /// <summary>Writes <c>{</c> and indents what follows.</summary>
    public void OpenBlock()
    {
        WriteLine("{");
        Indent();
    }

    /// <summary>Ends the indentation opened by <see cref="OpenBlock"/> and writes <c>}</c>.</summary>
    public void CloseBlock()
    {
        Unindent();
        WriteLine("}");
    }

    public void Indent() => _indentation++;

    public void Unindent()
    {
        if (_indentation == 0)
        {
            throw new InvalidOperationException("Unbalanced indentation in the source writer.");
        }

        _indentation--;
    }

    public override string ToString() => _builder.ToString();
}
