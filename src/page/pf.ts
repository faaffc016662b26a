// PatternFly, imported deeply (one component folder at a time) to keep the bundle small.
// Components import from here, not from "@patternfly/react-core".
export { Alert, AlertActionCloseButton, AlertActionLink, AlertGroup } from "@patternfly/react-core/dist/esm/components/Alert/index";
export { Button } from "@patternfly/react-core/dist/esm/components/Button/index";
export { Card, CardBody, CardTitle, CardHeader } from "@patternfly/react-core/dist/esm/components/Card/index";
export { Checkbox } from "@patternfly/react-core/dist/esm/components/Checkbox/index";
export { CodeBlock, CodeBlockCode } from "@patternfly/react-core/dist/esm/components/CodeBlock/index";
export { Content } from "@patternfly/react-core/dist/esm/components/Content/index";
export {
  DescriptionList,
  DescriptionListGroup,
  DescriptionListTerm,
  DescriptionListDescription,
} from "@patternfly/react-core/dist/esm/components/DescriptionList/index";
export {
  EmptyState,
  EmptyStateBody,
  EmptyStateFooter,
  EmptyStateActions,
} from "@patternfly/react-core/dist/esm/components/EmptyState/index";
export { ExpandableSection } from "@patternfly/react-core/dist/esm/components/ExpandableSection/index";
export { Form, FormGroup, ActionGroup } from "@patternfly/react-core/dist/esm/components/Form/index";
export { FormSelect, FormSelectOption } from "@patternfly/react-core/dist/esm/components/FormSelect/index";
export { HelperText, HelperTextItem } from "@patternfly/react-core/dist/esm/components/HelperText/index";
export { Label } from "@patternfly/react-core/dist/esm/components/Label/index";
export { Modal, ModalHeader, ModalBody, ModalFooter } from "@patternfly/react-core/dist/esm/components/Modal/index";
export { Page, PageSection } from "@patternfly/react-core/dist/esm/components/Page/index";
export { Progress, ProgressMeasureLocation, ProgressVariant } from "@patternfly/react-core/dist/esm/components/Progress/index";
export { ProgressStepper, ProgressStep } from "@patternfly/react-core/dist/esm/components/ProgressStepper/index";
export { Radio } from "@patternfly/react-core/dist/esm/components/Radio/index";
export { SearchInput } from "@patternfly/react-core/dist/esm/components/SearchInput/index";
export { Spinner } from "@patternfly/react-core/dist/esm/components/Spinner/index";
export { Switch } from "@patternfly/react-core/dist/esm/components/Switch/index";
export { TextInput } from "@patternfly/react-core/dist/esm/components/TextInput/index";
export { Title } from "@patternfly/react-core/dist/esm/components/Title/index";
export { Toolbar, ToolbarContent, ToolbarItem } from "@patternfly/react-core/dist/esm/components/Toolbar/index";
export { Breadcrumb, BreadcrumbItem } from "@patternfly/react-core/dist/esm/components/Breadcrumb/index";
export { Flex, FlexItem } from "@patternfly/react-core/dist/esm/layouts/Flex/index";
export { Stack, StackItem } from "@patternfly/react-core/dist/esm/layouts/Stack/index";
export { Grid, GridItem } from "@patternfly/react-core/dist/esm/layouts/Grid/index";
export { Dropdown, DropdownItem, DropdownList } from "@patternfly/react-core/dist/esm/components/Dropdown/index";
export { MenuToggle } from "@patternfly/react-core/dist/esm/components/MenuToggle/index";
