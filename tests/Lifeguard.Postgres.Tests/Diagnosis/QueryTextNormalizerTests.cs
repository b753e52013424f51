using Lifeguard.Postgres.Diagnosis;

namespace Lifeguard.Postgres.Tests.Diagnosis;

/// <summary>Constants out of live query text, as pg_stat_statements shows statements; names, keywords and parameters kept.</summary>
public sealed class QueryTextNormalizerTests
{
    [Theory]
    [InlineData("SELECT * FROM users WHERE email = 'ana@example.org'", "SELECT * FROM users WHERE email = $1")]
    [InlineData("UPDATE t SET a = 'it''s', b = 42, c = 3.5e-2 WHERE id = 7", "UPDATE t SET a = $1, b = $2, c = $3 WHERE id = $4")]
    [InlineData("ALTER ROLE app PASSWORD 'hunter2'", "ALTER ROLE app PASSWORD $1")]
    [InlineData("SELECT E'a\\'b', X'1F', B'101'", "SELECT $1, $2, $3")]
    [InlineData("SELECT $$secret$$, $tag$also 'secret'$tag$", "SELECT $1, $2")]
    [InlineData("SELECT col1, t2.x_3 FROM t2 WHERE \"Id 9\" = $1", "SELECT col1, t2.x_3 FROM t2 WHERE \"Id 9\" = $1")]
    [InlineData("SELECT 1 -- customer 'Bob'\nFROM t", "SELECT $1 \nFROM t")]
    [InlineData("SELECT /* token=abc */ 'x'", "SELECT   $1")]
    [InlineData("SELECT 'cut off by truncat", "SELECT $1")]
    [InlineData("", "")]
    public void Normalize_ReplacesLiteralsAndDropsComments(string sql, string expected) =>
        QueryTextNormalizer.Normalize(sql).ShouldBe(expected);

    [Fact]
    public void Normalize_Null_IsEmpty() => QueryTextNormalizer.Normalize(null).ShouldBe("");
}
