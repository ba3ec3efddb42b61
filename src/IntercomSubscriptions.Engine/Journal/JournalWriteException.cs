namespace IntercomSubscriptions.Engine;

/// <summary>The journal could not be written (a full disk, a read-only or vanished folder, a file in use): the run must send nothing more.</summary>
internal sealed class JournalWriteException : IOException
{
    public JournalWriteException(string path, Exception inner)
        : base($"The journal '{path}' could not be written: {inner.Message}", inner)
    {
        Path = path;
    }

    public string Path { get; }
}
