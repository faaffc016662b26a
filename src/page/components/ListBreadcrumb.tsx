// The way back to the migrations list above a view (a migration, the wizard): "Migrations > <where the admin is>".
import { type AppState } from "../state/app-state";
import { _ } from "../i18n";
import { Breadcrumb, BreadcrumbItem } from "../pf";

export function ListBreadcrumb({ state, current }: { state: AppState; current: string }) {
  return (
    <Breadcrumb>
      <BreadcrumbItem
        to="#/"
        onClick={(e) => {
          e.preventDefault();
          state.go({ view: "list" });
        }}
      >
        {_("Migrations")}
      </BreadcrumbItem>
      <BreadcrumbItem isActive>{current}</BreadcrumbItem>
    </Breadcrumb>
  );
}
