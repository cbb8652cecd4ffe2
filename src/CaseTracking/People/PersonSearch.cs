using System.Globalization;
using System.Text;
using CaseTracking.Access;
using Marten;
using Marten.Linq.MatchesSql;
using Npgsql;

namespace CaseTracking.People;

/// <summary>
/// Forgiving search for a person, one definition for the API and the pages: a name typed without diacritics ("dinh
/// nhan"), with the look-alike "Ð" for "Đ", words in any order; or the start of a national id ("0370"). Names are folded
/// in PostgreSQL by <c>unaccent</c> (which folds Đ and Ð to D) behind an immutable function, so a trigram index on the
/// folded name serves a search at province scale; nothing folded is stored beside the person record (retention masks
/// only what is there).
/// </summary>
public sealed class PersonSearch(IDocumentStore store, ILogger<PersonSearch> logger)
{
    public const int Limit = 20;
    private volatile bool _folding;

    private string Schema => store.Options.DatabaseSchemaName;

    /// <summary>Extensions (trusted, so the database owner may create them), the fold function and the index; idempotent.</summary>
    public async Task InstallAsync(Marten.Storage.IMartenDatabase database, CancellationToken ct)
    {
        var sql = $"""
            create extension if not exists unaccent schema public;
            create extension if not exists pg_trgm schema public;
            create or replace function {Schema}.ct_fold(t text) returns text language sql immutable parallel safe
              as $$ select lower(public.unaccent('public.unaccent'::regdictionary, coalesce(t, ''))) $$;
            create index if not exists ct_person_folded_name on {Schema}.mt_doc_person
              using gin ({Schema}.ct_fold(data ->> 'fullName') public.gin_trgm_ops);
            """;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var conn = await Provinces.ProvinceDatabases.OpenAsync(database, ct);
                await using var cmd = new NpgsqlCommand(sql, conn);
                await cmd.ExecuteNonQueryAsync(ct);
                _folding = true;
                return;
            }
            // Two hosts creating the same extension at once: the loser retries and finds it there.
            catch (PostgresException e) when (attempt < 3 && e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateObject)
            {
                await Task.Delay(200, ct);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedFile or PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.FeatureNotSupported)
            {
                logger.LogWarning("Person search without unaccent/pg_trgm ({Message}): names match only with their diacritics.", e.MessageText);
                return;
            }
        }
    }

    public async Task<IReadOnlyList<Person>> FindAsync(IQuerySession session, Actor actor, string term, CancellationToken ct, int limit = Limit)
    {
        term = term.Trim().Normalize(NormalizationForm.FormC);
        var query = session.Query<Person>().AsQueryable();
        if (term.All(char.IsAsciiDigit))
        {
            query = query.Where(p => p.NationalId.StartsWith(term));
        }
        else if (_folding)
        {
            foreach (var word in term.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(6))
                query = query.Where(p => p.MatchesSql($"{Schema}.ct_fold(d.data ->> 'fullName') like '%' || {Schema}.ct_fold(?) || '%'", word));
        }
        else
        {
            query = query.Where(p => p.FullName.Contains(term, StringComparison.OrdinalIgnoreCase));
        }

        if (actor.Role == Role.Supervisor)
        {
            var wards = actor.WardIds.ToArray();
            query = query.Where(p => wards.Contains(p.WardId));
        }

        return [.. await query.OrderBy(p => p.FullName).Take(limit).ToListAsync(ct)];
    }
}


