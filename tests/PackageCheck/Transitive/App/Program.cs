// References only a library that references SharpShot: TorchSharp must still load here (buildTransitive targets).
using PackageCheck.Library;
using SharpShot.Data;

var model = new Backbone();
var data = new Dataset(new float[4 * 64], new int[4], new[] { 1, 8, 8 }, new[] { "a", "b" });
float[] outputs = model.Predict(data);
bool ok = outputs.Length == 8 && outputs.All(float.IsFinite);
Console.WriteLine(ok ? $"PASS: TorchSharp ran {model.GetType().Name} ({model.ParameterCount} parameters) through a project reference" : "FAIL: unexpected outputs");
return ok ? 0 : 1;
