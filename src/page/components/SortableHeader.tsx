// A sortable table header in PatternFly's own sort markup (what react-table's SortColumn renders): the text
// sits in `.pf-v6-c-table__button-content`, without which PatternFly 6 clips header text to max-width 1px.
import ArrowsAltVIcon from "@patternfly/react-icons/dist/esm/icons/arrows-alt-v-icon";
import LongArrowAltDownIcon from "@patternfly/react-icons/dist/esm/icons/long-arrow-alt-down-icon";
import LongArrowAltUpIcon from "@patternfly/react-icons/dist/esm/icons/long-arrow-alt-up-icon";

export interface SortState<Id extends string> {
  by: Id;
  ascending: boolean;
}

export function SortableHeader<Id extends string>({
  id,
  text,
  sort,
  onSort,
}: {
  id: Id;
  text: string;
  sort: SortState<Id>;
  onSort: (next: SortState<Id>) => void;
}) {
  const active = sort.by === id;
  const Icon = !active ? ArrowsAltVIcon : sort.ascending ? LongArrowAltUpIcon : LongArrowAltDownIcon;
  return (
    <th
      className={`pf-v6-c-table__th pf-v6-c-table__sort pf-m-wrap${active ? " pf-m-selected" : ""}`}
      scope="col"
      data-column={id}
      aria-sort={active ? (sort.ascending ? "ascending" : "descending") : "none"}
    >
      <button
        type="button"
        className="pf-v6-c-table__button"
        onClick={() => onSort({ by: id, ascending: active ? !sort.ascending : true })}
      >
        <div className="pf-v6-c-table__button-content">
          <span className="pf-v6-c-table__text">{text}</span>
          <span className="pf-v6-c-table__sort-indicator">
            <Icon />
          </span>
        </div>
      </button>
    </th>
  );
}
