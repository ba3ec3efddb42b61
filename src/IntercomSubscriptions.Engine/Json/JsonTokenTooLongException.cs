using System.Text.Json;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Valid JSON that <see cref="StreamingJsonFilter"/> does not read: a number longer than its window
/// (strings of any length are read, and cut). Told apart from invalid JSON in the error's message.
/// </summary>
internal sealed class JsonTokenTooLongException : JsonException
{
    public JsonTokenTooLongException(string message)
        : base(message)
    {
    }
}
