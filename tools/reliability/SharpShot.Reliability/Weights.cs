using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpShot.Reliability;

/// <summary>A SHA-256 of a model's whole state: every entry of its state dict (parameters and batch-norm buffers), by name, type, shape and bytes.</summary>
internal static class Weights
{
    /// <summary>The hash of <paramref name="model"/>'s state dict, then of <paramref name="extra"/> tensors (e.g. Meta-SGD's learned rates), as lower-case hex.</summary>
    public static string Sha256(nn.Module model, IEnumerable<Tensor>? extra = null)
    {
        using var scope = NewDisposeScope();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, tensor) in model.state_dict())
        {
            Append(hash, name, tensor);
        }
        var index = 0;
        foreach (var tensor in extra ?? [])
        {
            Append(hash, $"extra.{index++}", tensor);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Append(IncrementalHash hash, string name, Tensor tensor)
    {
        Tensor values = tensor.detach().cpu().contiguous();
        hash.AppendData(Encoding.UTF8.GetBytes($"{name}|{values.dtype}|{string.Join(",", values.shape)}|"));
        switch (values.dtype)
        {
            case ScalarType.Float32:
                hash.AppendData(MemoryMarshal.AsBytes(values.data<float>().ToArray().AsSpan()));
                break;
            case ScalarType.Float64:
                hash.AppendData(MemoryMarshal.AsBytes(values.data<double>().ToArray().AsSpan()));
                break;
            case ScalarType.Int64:
                hash.AppendData(MemoryMarshal.AsBytes(values.data<long>().ToArray().AsSpan()));
                break;
            default:
                throw new NotSupportedException($"State entry '{name}' has element type {values.dtype}, which the hash does not read.");
        }
    }
}
