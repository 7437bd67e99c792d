using SharpShot.FewShot;

namespace SharpShot.Tests.FewShot.Data;

public sealed class SinusoidTests
{
    [Fact]
    public void A_task_evaluates_amplitude_times_sine_of_x_minus_phase()
    {
        var task = new SinusoidTask(2f, 0.5f);
        float[] x = [-5f, 0f, 0.5f, 1f, 4.2f];

        float[] y = task.Evaluate(x);

        Assert.Equal(x.Select(v => (float)(2 * Math.Sin(v - 0.5))), y);
        Assert.Equal(0f, task.Evaluate(0.5f));
        Assert.Equal(2f, task.Evaluate(0.5f + (MathF.PI / 2)), 5);
        var into = new float[x.Length];
        task.Evaluate(x, into);
        Assert.Equal(y, into);
        Assert.Throws<ArgumentException>(() => task.Evaluate(x, new float[2]));
    }

    [Fact]
    public void Tasks_and_points_fall_in_Finn_et_al_s_ranges()
    {
        var sampler = new SinusoidTaskSampler(seed: 1);
        var tasks = Enumerable.Range(0, 2000).Select(_ => sampler.NextTask()).ToArray();

        Assert.All(tasks, t => Assert.InRange(t.Amplitude, 0.1f, 5f));
        Assert.All(tasks, t => Assert.InRange(t.Phase, 0f, MathF.PI));

        // Spread over the whole range, not a corner of it.
        Assert.InRange(tasks.Min(t => t.Amplitude), 0.1f, 0.3f);
        Assert.InRange(tasks.Max(t => t.Amplitude), 4.8f, 5f);
        Assert.InRange(tasks.Average(t => t.Amplitude), 2.4f, 2.7f);
        Assert.InRange(tasks.Average(t => t.Phase), 1.45f, 1.7f);

        (float[] x, float[] y) = sampler.Sample(tasks[0], 5000);
        Assert.All(x, v => Assert.InRange(v, -5f, 5f));
        Assert.InRange(x.Min(), -5f, -4.9f);
        Assert.InRange(x.Max(), 4.9f, 5f);
        Assert.Equal(tasks[0].Evaluate(x), y);
    }

    [Fact]
    public void The_same_seed_gives_the_same_tasks_and_points()
    {
        SinusoidEpisode[] a = new SinusoidTaskSampler(42).NextEpisodes(5, supportCount: 10, queryCount: 7);
        SinusoidEpisode[] b = new SinusoidTaskSampler(42).NextEpisodes(5, supportCount: 10, queryCount: 7);
        SinusoidEpisode[] c = new SinusoidTaskSampler(43).NextEpisodes(5, supportCount: 10, queryCount: 7);

        Assert.Equal(a.Select(e => e.Task), b.Select(e => e.Task));
        Assert.All(a.Zip(b), p =>
        {
            Assert.Equal(p.First.SupportX, p.Second.SupportX);
            Assert.Equal(p.First.QueryY, p.Second.QueryY);
        });
        Assert.NotEqual(a.Select(e => e.Task), c.Select(e => e.Task));
    }

    [Fact]
    public void An_episode_has_support_and_query_points_of_one_task()
    {
        var sampler = new SinusoidTaskSampler(3);

        SinusoidEpisode[] batch = sampler.NextEpisodes(25, supportCount: 10, queryCount: 15);

        Assert.Equal(25, batch.Select(e => e.Task).Distinct().Count());
        foreach (SinusoidEpisode e in batch)
        {
            Assert.Equal(10, e.SupportX.Length);
            Assert.Equal(10, e.SupportY.Length);
            Assert.Equal(15, e.QueryX.Length);
            Assert.Equal(e.Task.Evaluate(e.SupportX), e.SupportY);
            Assert.Equal(e.Task.Evaluate(e.QueryX), e.QueryY);
            Assert.NotEqual(e.SupportX, e.QueryX.Take(10));
        }
    }

    [Fact]
    public void Sampling_with_a_caller_s_Random_is_deterministic_and_respects_the_range()
    {
        var task = new SinusoidTask(1f, 0f);

        (float[] x1, float[] y1) = SinusoidTaskSampler.Sample(task, 50, new Random(5));
        (float[] x2, float[] y2) = SinusoidTaskSampler.Sample(task, 50, new Random(5));
        (float[] wide, _) = SinusoidTaskSampler.Sample(task, 500, new Random(5), -10f, 10f);

        Assert.Equal(x1, x2);
        Assert.Equal(y1, y2);
        Assert.All(wide, v => Assert.InRange(v, -10f, 10f));
        Assert.Contains(wide, v => Math.Abs(v) > 5f);
        Assert.Empty(SinusoidTaskSampler.Sample(task, 0, new Random(1)).X);
    }

    [Fact]
    public void Custom_ranges_are_used_and_checked()
    {
        var sampler = new SinusoidTaskSampler(1, minAmplitude: 1f, maxAmplitude: 2f, minPhase: 0f, maxPhase: 0f, minX: 0f, maxX: 1f);

        SinusoidEpisode e = sampler.NextEpisode(20, 20);

        Assert.InRange(e.Task.Amplitude, 1f, 2f);
        Assert.Equal(0f, e.Task.Phase);
        Assert.All(e.SupportX, v => Assert.InRange(v, 0f, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SinusoidTaskSampler(1, minAmplitude: 3f, maxAmplitude: 2f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SinusoidTaskSampler(1, maxX: float.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.NextEpisode(0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.NextEpisodes(0, 5, 5));
    }

    [Fact]
    public void The_grid_spans_the_range_evenly()
    {
        float[] grid = SinusoidTaskSampler.Grid(11);

        Assert.Equal([-5f, -4f, -3f, -2f, -1f, 0f, 1f, 2f, 3f, 4f, 5f], grid);
        Assert.Throws<ArgumentOutOfRangeException>(() => SinusoidTaskSampler.Grid(1));
    }

    [Fact]
    public void An_episode_checks_its_arrays()
    {
        Assert.Throws<ArgumentException>(() => new SinusoidEpisode(default, new float[3], new float[2], new float[1], new float[1]));
    }
}
