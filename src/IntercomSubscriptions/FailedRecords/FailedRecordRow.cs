namespace IntercomSubscriptions;

/// <summary>One row of a failed-records file: the record's cells in their order (column, value), and its error.</summary>
internal sealed record FailedRecordRow(IReadOnlyList<KeyValuePair<string, string?>> Cells, string ErrorId, string ErrorMessage);
