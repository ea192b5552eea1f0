import { MultiSelect } from "@mantine/core";
import { useState } from "react";
import type { Role } from "../../api/users.js";

export const roleLabel = (name: string) => name.replace(/_/g, " ");

/**
 * Picks a user's roles: type to filter, Enter adds the best match, Backspace removes the last. The list closes
 * after each pick, so a second Enter saves the form instead of quietly adding the next role in the list.
 */
export function RolesInput(props: {
  roles: Role[];
  value: string[];
  onChange: (roles: string[]) => void;
  error?: string;
}) {
  const [open, setOpen] = useState(false);
  return (
    <MultiSelect
      label="Roles"
      description="What the user may do; type a role's name and press Enter"
      required
      searchable
      selectFirstOptionOnChange
      dropdownOpened={open}
      onDropdownOpen={() => setOpen(true)}
      onDropdownClose={() => setOpen(false)}
      onOptionSubmit={() => setOpen(false)}
      data={props.roles.map((r) => ({ value: r.name, label: roleLabel(r.name) }))}
      renderOption={({ option }) => (
        <div>
          <div>{option.label}</div>
          <div style={{ fontSize: "var(--mantine-font-size-xs)" }}>
            {props.roles.find((r) => r.name === option.value)?.description}
          </div>
        </div>
      )}
      value={props.value}
      onChange={props.onChange}
      error={props.error}
      comboboxProps={{ withinPortal: false }}
      hidePickedOptions
    />
  );
}
