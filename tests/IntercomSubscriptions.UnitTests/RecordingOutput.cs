using System.Management.Automation;

namespace IntercomSubscriptions.UnitTests;

/// <summary>A pipeline for collaborators under test: keeps what they write, answers ShouldProcess as told.</summary>
internal sealed class RecordingOutput : IPipelineOutput
{
    public List<object> Objects { get; } = new();
    public List<ErrorRecord> Errors { get; } = new();
    public List<string> Warnings { get; } = new();
    public List<string> Verbose { get; } = new();
    public List<ProgressRecord> Progress { get; } = new();
    public List<(string Target, string Action)> ShouldProcessAsked { get; } = new();

    /// <summary>What ShouldProcess answers (as -Confirm's "No" or -WhatIf would when false).</summary>
    public bool Proceed { get; set; } = true;

    public void WriteObject(object sendToPipeline) => Objects.Add(sendToPipeline);
    public void WriteError(ErrorRecord errorRecord) => Errors.Add(errorRecord);
    public void WriteWarning(string text) => Warnings.Add(text);
    public void WriteVerbose(string text) => Verbose.Add(text);
    public void WriteProgress(ProgressRecord progressRecord) => Progress.Add(progressRecord);

    /// <summary>What the command ended with (as PowerShell would, by throwing).</summary>
    public ErrorRecord? Terminated { get; private set; }

    public void ThrowTerminatingError(ErrorRecord errorRecord)
    {
        Terminated = errorRecord;
        throw new PipelineStoppedException();
    }

    public bool ShouldProcess(string target, string action)
    {
        ShouldProcessAsked.Add((target, action));
        return Proceed;
    }
}
