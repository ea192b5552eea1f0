import { Stack, Text, Title } from "@mantine/core";
import classes from "./FieldList.module.css";
import { fieldLabel, formatValue, isRecord } from "./fields.js";

// Bookkeeping fields that mean nothing to a CSR on this screen.
const HIDDEN = new Set(["id", "version", "created_at", "updated_at"]);

type Level = 2 | 3 | 4;
const deeper = (level: Level): Level => (level < 4 ? ((level + 1) as Level) : 4);

function Part({ name, value, level }: { name: string; value: unknown; level: Level }) {
  if (Array.isArray(value)) {
    return (
      <section aria-label={fieldLabel(name)} className={classes.part}>
        <Title order={level} size="h5">
          {fieldLabel(name)} <span className={classes.count}>({value.length})</span>
        </Title>
        {value.length === 0 && <Text size="sm">None.</Text>}
        {value.map((item, i) =>
          isRecord(item) ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: the list is shown as the server sent it, never reordered
            <FieldList key={i} data={item} level={deeper(level)} boxed />
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: as above
            <Text key={i} size="sm">
              {formatValue(name, item)}
            </Text>
          ),
        )}
      </section>
    );
  }
  return (
    <section aria-label={fieldLabel(name)} className={classes.part}>
      <Title order={level} size="h5">
        {fieldLabel(name)}
      </Title>
      <FieldList data={value as Record<string, unknown>} level={deeper(level)} />
    </section>
  );
}

/**
 * Whatever fields an API object has, as a plain description list; nested objects and lists become titled
 * parts. It lets a page show new fields before anyone designs a place for them.
 */
export function FieldList({
  data,
  level = 2,
  boxed,
}: {
  data: Record<string, unknown>;
  level?: Level;
  boxed?: boolean;
}) {
  const entries = Object.entries(data).filter(([k]) => !HIDDEN.has(k));
  const scalars = entries.filter(([, v]) => !isRecord(v) && !Array.isArray(v));
  const parts = entries.filter(([, v]) => isRecord(v) || Array.isArray(v));
  return (
    <Stack gap="sm" className={boxed ? classes.boxed : undefined}>
      {scalars.length > 0 && (
        <dl className={classes.list}>
          {scalars.map(([k, v]) => (
            <div key={k} className={classes.row}>
              <dt>{fieldLabel(k)}</dt>
              <dd>{formatValue(k, v)}</dd>
            </div>
          ))}
        </dl>
      )}
      {parts.map(([k, v]) => (
        <Part key={k} name={k} value={v} level={level} />
      ))}
    </Stack>
  );
}
