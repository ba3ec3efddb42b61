namespace FakeIntercom.Pipeline;

/// <summary>One stage of the fake's request pipeline.</summary>
internal interface IRequestStage
{
    /// <summary>Answers (or drops) the request and returns true, or returns false to pass it on to the next stage.</summary>
    Task<bool> TryAnswerAsync(FakeExchange exchange);
}
