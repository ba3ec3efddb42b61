using System.Text;
using System.Text.Json;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// The parts of a JSON value that a reader looks at: an object's named properties (each with its own
/// shape), an array's items, or a value taken as it is. <see cref="StreamingJsonFilter"/> keeps what a
/// shape names and drops the rest as it reads, so a property nobody reads (a proxy's padding, say)
/// costs nothing however large it is.
/// </summary>
internal sealed class JsonShape
{
    private readonly Property[] _properties;

    private JsonShape(JsonValueKind kind, Property[] properties, JsonShape? items)
    {
        Kind = kind;
        _properties = properties;
        Items = items;
    }

    /// <summary>A value kept as it came: a string, number, true, false or null (a container in its place is kept empty).</summary>
    public static JsonShape Value { get; } = new(JsonValueKind.Undefined, [], null);

    /// <summary>Object, Array, or Undefined for <see cref="Value"/>.</summary>
    public JsonValueKind Kind { get; }

    /// <summary>An array's items.</summary>
    public JsonShape? Items { get; }

    public static JsonShape Object(params (string Name, JsonShape Shape)[] properties) =>
        new(JsonValueKind.Object, properties.Select(p => new Property(p.Name, p.Shape)).ToArray(), null);

    public static JsonShape Array(JsonShape items) => new(JsonValueKind.Array, [], items);

    /// <summary>This object shape with the properties of <paramref name="other"/> too.</summary>
    public JsonShape With(params (string Name, JsonShape Shape)[] other) =>
        new(JsonValueKind.Object, _properties.Concat(other.Select(p => new Property(p.Name, p.Shape))).ToArray(), null);

    /// <summary>The property of this object shape that the reader's current property name names (escaped or not), or null.</summary>
    public Property? PropertyNamed(ref Utf8JsonReader reader)
    {
        foreach (var property in _properties)
        {
            if (reader.ValueTextEquals(property.Utf8Name)) return property;
        }
        return null;
    }

    /// <summary>A property an object shape names: its name as the reader compares it and as the filter writes it.</summary>
    internal sealed class Property
    {
        public Property(string name, JsonShape shape)
        {
            Utf8Name = Encoding.UTF8.GetBytes(name);
            Name = JsonEncodedText.Encode(name);
            Shape = shape;
        }

        public byte[] Utf8Name { get; }

        public JsonEncodedText Name { get; }

        public JsonShape Shape { get; }
    }
}
