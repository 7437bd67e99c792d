using System.CommandLine;
using SharpShot.Inference;
using SharpShot.Onnx;

namespace SharpShot.Tool;

/// <summary>
/// <c>sharpshot triton MODEL --name N --out REPO</c>: a Triton Inference Server model repository entry (which KServe
/// serves too): <c>REPO/N/config.pbtxt</c> and <c>REPO/N/1/model.onnx</c> with any external data beside it.
/// </summary>
internal static class TritonCommand
{
    public static Command Create(ToolContext context)
    {
        var model = Common.ModelArgument();
        var name = new Option<string?>("--name") { Description = "The model's name in the repository (default: the file name without .onnx)." };
        var output = new Option<string>("--out") { Description = "The model repository folder (created if missing).", Required = true };
        var maxBatch = new Option<int>("--max-batch") { Description = $"max_batch_size when every input and output has an open first axis (default {TritonOptions.DefaultMaxBatchSize}).", DefaultValueFactory = _ => TritonOptions.DefaultMaxBatchSize };
        Common.Require(maxBatch, v => v >= 1, "--max-batch must be at least 1.");
        var delay = new Option<int>("--max-queue-delay-us") { Description = "Dynamic batching's max_queue_delay_microseconds (default 100).", DefaultValueFactory = _ => 100 };
        Common.Require(delay, v => v >= 0, "--max-queue-delay-us must be at least 0.");
        var instances = new Option<int>("--instances") { Description = "Model instances (instance_group count; default 1).", DefaultValueFactory = _ => 1 };
        Common.Require(instances, v => v >= 1, "--instances must be at least 1.");
        var gpu = new Option<bool>("--gpu") { Description = "Run the instances on GPUs (KIND_GPU) instead of CPUs." };
        var force = new Option<bool>("--force") { Description = "Replace the model's version folder if it exists." };
        var command = new Command("triton", "Write a Triton model repository entry (config.pbtxt, 1/model.onnx) for the model; KServe serves the same repository.")
        {
            model, name, output, maxBatch, delay, instances, gpu, force,
        };
        command.SetAction(parsed =>
        {
            string source = Common.RequireModelFile(parsed.GetValue(model)!, "triton");

            var options = new TritonOptions
            {
                Name = parsed.GetValue(name) ?? Path.GetFileNameWithoutExtension(source),
                MaxBatchSize = parsed.GetValue(maxBatch),
                MaxQueueDelayMicroseconds = parsed.GetValue(delay),
                Instances = parsed.GetValue(instances),
                Gpu = parsed.GetValue(gpu),
            };
            TritonRepositoryResult result = TritonRepository.Write(source, parsed.GetValue(output)!, options, parsed.GetValue(force));
            context.Output.WriteLine($"wrote {result.ModelFolder}: config.pbtxt and 1/model.onnx ({result.Files.Count - 2} external data files){(result.Batched ? $", batching up to {options.MaxBatchSize}" : ", no batching (an input or output has a fixed first axis)")}");
            context.Output.Write(result.Config);
            return Cli.Success;
        });
        return command;
    }
}
