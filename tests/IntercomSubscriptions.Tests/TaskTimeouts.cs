namespace IntercomSubscriptions.Tests;

/// <summary>Task.Wait(timeout) for async tests, which must not block on a task (xUnit1031).</summary>
internal static class TaskTimeouts
{
    /// <summary>
    /// True when the task ended within <paramref name="timeout"/>, false when it had not; a task that
    /// failed throws its exception here, as Task.Wait would, so a failure is never read as "ended".
    /// </summary>
    public static async Task<bool> EndsWithin(this Task task, TimeSpan timeout)
    {
        if (await Task.WhenAny(task, Task.Delay(timeout)) != task) return false;
        await task;
        return true;
    }
}
