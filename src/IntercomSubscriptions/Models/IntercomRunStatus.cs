namespace IntercomSubscriptions;

/// <summary>How a bulk run ended.</summary>
public enum IntercomRunStatus
{
    /// <summary>Still running (seen only through -SummaryVariable while the command runs).</summary>
    Running,
    /// <summary>Every input record was handled.</summary>
    Completed,
    /// <summary>-TimeLimit passed: nothing new was sent, what was in flight finished; see NotProcessed and Handled.</summary>
    TimeLimitReached,
    /// <summary>Stopped (Ctrl+C, Stop-Job): requests in flight were cancelled.</summary>
    Stopped,
    /// <summary>Ended by a terminating error (or -ErrorAction Stop).</summary>
    Failed,
}
