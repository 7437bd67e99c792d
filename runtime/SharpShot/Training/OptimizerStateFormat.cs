using System.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Training;

/// <summary>
/// Checks TorchSharp's binary optimizer state (what <c>save_state_dict</c> writes: the optimizer's type name, its groups'
/// options, then each parameter's state with its tensors as dtype, shape and bytes) against the optimizer that is to
/// load it, before it does: TorchSharp creates a missing state tensor (Adam's <c>max_exp_avg_sq</c>, SGD's momentum
/// buffer) with whatever type and shape the bytes say, and a type LibTorch does not know ends the process.
/// </summary>
internal static class OptimizerStateFormat
{
    /// <summary>What in <paramref name="state"/> does not fit <paramref name="optimizer"/>, as a message; null when it all does.</summary>
    public static string? Problem(ReadOnlySpan<byte> state, OptimizerHelper optimizer)
    {
        var reader = new Reader(state);
        string expected = optimizer.GetType().Name;
        Tensor[] parameters = [.. optimizer.parameters()];
        OptimizerHelper.StateDictionary own = optimizer.state_dict();
        return reader.Name() is not { } name || name != expected ? $"it is not the state of {expected}"
            : reader.Count() != own.Options.Count ? "its number of parameter groups differs"
            : reader.Count() != own.State.Count || own.State.Count != parameters.Length ? "its number of parameter states differs"
            : optimizer switch
            {
                TorchSharp.Modules.Adam => AdamState(ref reader, own.Options.Count, parameters),
                TorchSharp.Modules.SGD => SgdState(ref reader, own.Options.Count, parameters),
                _ => $"{expected}'s state cannot be checked",
            }
            ?? (reader.AtEnd ? null : $"{reader.Left} bytes follow its end");
    }

    private static string? AdamState(ref Reader reader, int groups, Tensor[] parameters)
    {
        // Each group: initial and current learning rate, beta1, beta2, eps, weight decay (doubles), amsgrad, maximize.
        for (int i = 0; i < groups; i++)
        {
            if (!reader.Skip(6 * sizeof(double)) || reader.Flag() is null || reader.Flag() is null)
            {
                return "its options end early";
            }
        }

        // Each parameter: step, exp_avg, exp_avg_sq, then max_exp_avg_sq when present.
        for (int i = 0; i < parameters.Length; i++)
        {
            if (reader.Long() is not >= 0
                || !reader.TensorLike(parameters[i]) || !reader.TensorLike(parameters[i])
                || reader.Flag() is not { } hasMax || (hasMax && !reader.TensorLike(parameters[i])))
            {
                return $"the state of parameter {i} is not Adam's for a {parameters[i].dtype} [{string.Join(", ", parameters[i].shape)}] parameter";
            }
        }

        return null;
    }

    private static string? SgdState(ref Reader reader, int groups, Tensor[] parameters)
    {
        // Each group: initial and current learning rate, momentum, dampening, weight decay (doubles), nesterov, maximize.
        for (int i = 0; i < groups; i++)
        {
            if (!reader.Skip(5 * sizeof(double)) || reader.Flag() is null || reader.Flag() is null)
            {
                return "its options end early";
            }
        }

        // Each parameter: the momentum buffer when present.
        for (int i = 0; i < parameters.Length; i++)
        {
            if (reader.Flag() is not { } hasBuffer || (hasBuffer && !reader.TensorLike(parameters[i])))
            {
                return $"the state of parameter {i} is not SGD's for a {parameters[i].dtype} [{string.Join(", ", parameters[i].shape)}] parameter";
            }
        }

        return null;
    }

    /// <summary>Reads the format's primitives, each false or null past the end or on a value the writer never writes.</summary>
    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _position;

        public readonly bool AtEnd => _position == _bytes.Length;

        public readonly int Left => _bytes.Length - _position;

        public bool Skip(int count)
        {
            if (count < 0 || count > Left)
            {
                return false;
            }

            _position += count;
            return true;
        }

        /// <summary>BinaryWriter's string: a 7-bit-encoded length, then UTF-8.</summary>
        public string? Name()
        {
            long length = Count();
            if (length is < 0 or > 256 || length > Left)
            {
                return null;
            }

            string name = Encoding.UTF8.GetString(_bytes.Slice(_position, (int)length));
            _position += (int)length;
            return name;
        }

        /// <summary>A LEB128 value (TorchSharp's <c>Encode</c>, BinaryWriter's 7-bit length); −1 when malformed.</summary>
        public long Count()
        {
            long value = 0;
            for (int shift = 0; shift < 63; shift += 7)
            {
                if (AtEnd)
                {
                    return -1;
                }

                byte b = _bytes[_position++];
                value |= (long)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            return -1;
        }

        public bool? Flag()
        {
            if (AtEnd || _bytes[_position] > 1)
            {
                return null;
            }

            return _bytes[_position++] == 1;
        }

        public long? Long()
        {
            if (Left < sizeof(long))
            {
                return null;
            }

            long value = BitConverter.ToInt64(_bytes.Slice(_position, sizeof(long)));
            _position += sizeof(long);
            return value;
        }

        /// <summary>A tensor with <paramref name="like"/>'s type and shape: its header, then its bytes.</summary>
        public bool TensorLike(Tensor like)
        {
            if (Count() != (long)like.dtype || Count() != like.shape.Length)
            {
                return false;
            }

            foreach (long dimension in like.shape)
            {
                if (Count() != dimension)
                {
                    return false;
                }
            }

            long bytes = like.NumberOfElements * like.ElementSize;
            return bytes <= int.MaxValue && Skip((int)bytes);
        }
    }
}
