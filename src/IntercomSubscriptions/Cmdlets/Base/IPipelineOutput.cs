using System.Management.Automation;

namespace IntercomSubscriptions;

/// <summary>
/// What a cmdlet's collaborators may do to its pipeline: write to its streams, ask ShouldProcess, and end it.
/// The cmdlet is the one implementation (<see cref="IntercomCmdlet"/>: these are Cmdlet's own
/// methods); unit tests record what is written. Called on the pipeline thread only.
/// </summary>
internal interface IPipelineOutput
{
    void WriteObject(object sendToPipeline);

    void WriteError(ErrorRecord errorRecord);

    void WriteWarning(string text);

    void WriteVerbose(string text);

    void WriteProgress(ProgressRecord progressRecord);

    bool ShouldProcess(string target, string action);

    /// <summary>Ends the command with <paramref name="errorRecord"/>, whatever -ErrorAction says.</summary>
    void ThrowTerminatingError(ErrorRecord errorRecord);
}
