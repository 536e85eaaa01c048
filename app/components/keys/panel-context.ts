// What the namespace page hands the key panel (its child route) through the outlet.
export interface KeyPanelContext {
  closeHref: string;
  base: string;
  canEdit: boolean;
  requestDelete: (name: string) => void;
}
