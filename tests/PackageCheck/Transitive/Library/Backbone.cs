using SharpShot;

namespace PackageCheck.Library;

/// <summary>Declared in a library that references the SharpShot package; the app using it does not reference SharpShot.</summary>
[Model(1, 8, 8)]
[Conv2d(2, 3), Relu, Flatten, Dense(2)]
public partial class Backbone;
