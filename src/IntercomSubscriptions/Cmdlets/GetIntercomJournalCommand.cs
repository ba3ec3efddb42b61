using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.Commands;

/// <summary>
/// Reads a journal written by Add-, Remove- or Set-IntercomContactSubscription -JournalPath: each
/// change with what became of it, or (-Undo) the state to put each contact back to, for
/// Set-IntercomContactSubscription.
/// </summary>
[Cmdlet(VerbsCommon.Get, "IntercomJournal", DefaultParameterSetName = ChangesSet)]
[OutputType(typeof(IntercomJournalEntry), ParameterSetName = new[] { ChangesSet })]
[OutputType(typeof(ContactSubscriptionUndo), ParameterSetName = new[] { UndoSet })]
public sealed class GetIntercomJournalCommand : PSCmdlet
{
    private const string ChangesSet = "Changes";
    private const string UndoSet = "Undo";

    private JournalUndo? _undo;
    private HashSet<string>? _runs;

    /// <summary>The journal file(s). Binds from a run summary's JournalPath and from Get-ChildItem's FullName.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("JournalPath", "FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Only these runs' changes (the RunId of the entries; a journal may hold many runs).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? RunId { get; set; }

    /// <summary>Only changes with these outcomes (InDoubt: the ones to check after a killed run).</summary>
    [Parameter(ParameterSetName = ChangesSet)]
    public IntercomJournalOutcome[]? Outcome { get; set; }

    /// <summary>
    /// Instead of the changes, the state each (contact, subscription type) was in before its first
    /// change that may have been applied: pipe them to Set-IntercomContactSubscription.
    /// </summary>
    [Parameter(ParameterSetName = UndoSet, Mandatory = true)]
    public SwitchParameter Undo { get; set; }

    protected override void BeginProcessing()
    {
        _runs = RunId is null ? null : new HashSet<string>(RunId, StringComparer.OrdinalIgnoreCase);
        if (Undo.IsPresent) _undo = new JournalUndo();
    }

    protected override void ProcessRecord()
    {
        foreach (var given in Path)
        {
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(given);
            if (!File.Exists(path))
            {
                WriteError(IntercomErrors.JournalFailed(new FileNotFoundException($"There is no journal '{path}'.", path), path));
                continue;
            }
            var reader = new JournalReader(path);
            try
            {
                var changes = JournalChanges.Of(reader.Events(), _runs);
                if (_undo is { } undo)
                {
                    foreach (var restore in undo.Of(changes)) WriteObject(restore);
                }
                else
                {
                    foreach (var change in changes)
                    {
                        var entry = ToEntry(change);
                        if (Outcome is null || Outcome.Contains(entry.Outcome)) WriteObject(entry);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                WriteError(IntercomErrors.JournalFailed(ex, path));
                continue;
            }
            if (reader.BadLines > 0)
                WriteWarning($"The journal '{path}' has {reader.BadLines} lines that are not journal events (the first is line {reader.FirstBadLine}): "
                    + "a line cut off by a crash, or edited by hand. They were skipped.");
        }
    }

    protected override void EndProcessing()
    {
        if (_undo is not { } undo) return;
        if (undo.Inferred > 0)
            WriteWarning($"{undo.Inferred} of the states to put back are inferred, not read (Exact False): Add and Remove do not read a contact "
                + "before changing it, so the undo assumes each change made a difference. A contact that had the choice before an Add "
                + "loses it. Set-IntercomContactSubscription reads first, so its changes undo exactly.");
        foreach (var change in undo.CannotUndo)
            WriteWarning($"Contact '{change.Intent.ContactId}', subscription type '{change.Intent.SubscriptionId}': cannot be put back, because the type's "
                + $"consent type is not known to the journal ({change.Intent.ConsentType ?? "none"}) and the choice before was not none.");
        if (undo.Workspaces.Count > 1)
            WriteWarning($"The journal's changes were sent to {undo.Workspaces.Count} workspaces ({string.Join(", ", undo.Workspaces)}): "
                + "undo each with a connection to its own (-RunId selects a run, Workspace says where it went).");
    }

    private static IntercomJournalEntry ToEntry(JournalChange change)
    {
        var intent = change.Intent;
        return new IntercomJournalEntry
        {
            Time = intent.At,
            RunId = intent.Run,
            Command = intent.Command,
            Workspace = intent.Workspace,
            ContactId = intent.ContactId,
            Key = intent.Key,
            KeyValue = intent.KeyValue,
            SubscriptionId = intent.SubscriptionId,
            Name = intent.SubscriptionName,
            ConsentType = intent.ConsentType,
            Action = intent.Action,
            ChoiceBefore = intent.ChoiceBefore,
            ChoiceAfter = intent.ChoiceAfter,
            Outcome = change.Result switch
            {
                JournalWords.Applied => IntercomJournalOutcome.Applied,
                JournalWords.Failed => IntercomJournalOutcome.Failed,
                JournalWords.NotApplied => IntercomJournalOutcome.NotApplied,
                _ => IntercomJournalOutcome.InDoubt,
            },
            ErrorId = change.Outcome?.ErrorId,
            RequestId = change.Outcome?.RequestId,
            OutcomeTime = change.Outcome?.At,
        };
    }
}
