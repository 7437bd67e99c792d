using SharpShot.Onnx;

namespace SharpShot.Inference.Tests;

/// <summary>
/// Disposing a model while other threads predict must end their calls with <see cref="ObjectDisposedException"/>:
/// before the call gate, the native session was freed under running calls and the process crashed.
/// </summary>
public class DisposeDuringCallsTests
{
    private const int Threads = 4;
    private const int Rounds = 12;

    [Fact]
    public void Dispose_while_four_threads_predict_ends_every_call_with_object_disposed()
    {
        var bytes = MatMulChain(width: 256, depth: 16);
        for (var round = 0; round < Rounds; round++)
        {
            var model = OnnxModel.Load(bytes);
            var sample = Reference.Random(model.InputLength, seed: round);
            var failures = RunUntilDisposed(model, Threads, thread =>
            {
                var output = new float[model.OutputLength];
                var batch = new float[3 * model.InputLength];
                var batchOutput = new float[3 * model.OutputLength];
                switch (thread % 3)
                {
                    case 0:
                        model.Predict(sample, output);
                        break;
                    case 1:
                        model.PredictBatch(batch, 3, batchOutput);
                        break;
                    default:
                        model.Run(new Dictionary<string, OnnxTensor> { ["x"] = OnnxTensor.Create(sample, 1, model.InputLength) });
                        break;
                }
            });

            Assert.All(failures, f => Assert.IsType<ObjectDisposedException>(f));
            Assert.Throws<ObjectDisposedException>(() => model.Predict(sample));
        }
    }

    [Fact]
    public void Dispose_twice_and_dispose_racing_dispose_are_harmless()
    {
        var model = OnnxModel.Load(TestModels.Dense());
        Parallel.For(0, 8, _ => model.Dispose());
        model.Dispose();

        Assert.Throws<ObjectDisposedException>(() => model.Classify(new float[TestModels.DenseInputs]));
    }

    /// <summary>Starts the callers, disposes the model while they run, and returns how each one's calls ended.</summary>
    private static Exception[] RunUntilDisposed(OnnxModel model, int threads, Action<int> call)
    {
        var failures = new Exception[threads];
        using var started = new CountdownEvent(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            started.Signal();
            try
            {
                while (true)
                {
                    call(t);
                }
            }
            catch (Exception e)
            {
                failures[t] = e;
            }
        })).ToArray();
        foreach (var worker in workers)
        {
            worker.Start();
        }
        started.Wait();
        Thread.Sleep(30);
        model.Dispose();
        foreach (var worker in workers)
        {
            Assert.True(worker.Join(TimeSpan.FromSeconds(10)), "a caller did not stop after Dispose");
        }
        return failures;
    }

    /// <summary>x [N, width] through <paramref name="depth"/> MatMul + Tanh layers: long enough runs to be caught mid-call.</summary>
    private static byte[] MatMulChain(int width, int depth)
    {
        var b = new OnnxGraphBuilder("chain");
        var x = b.AddInput("x", OnnxElementType.Float, [OnnxDimension.Symbolic("N"), width]);
        var weight = b.AddInitializer("w", Reference.Random(width * width, seed: 5).Select(v => v / width).ToArray(), width, width);
        var h = x;
        for (var i = 0; i < depth; i++)
        {
            h = b.AddNode("Tanh", [b.AddNode("MatMul", [h, weight], $"m{i}")], $"h{i}");
        }
        b.AddOutput(h, OnnxElementType.Float, [OnnxDimension.Symbolic("N"), width]);
        return b.ToBytes();
    }
}
