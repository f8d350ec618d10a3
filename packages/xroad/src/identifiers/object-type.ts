/** `XRoadObjectType` of the X-Road identifiers schema (PR-MESS Annex A, `identifiers.xsd`). */
export type XRoadObjectType = 'MEMBER' | 'SUBSYSTEM' | 'SERVER' | 'GLOBALGROUP' | 'LOCALGROUP' | 'SERVICE';

export const X_ROAD_OBJECT_TYPES: ReadonlyArray<XRoadObjectType> = [
  'MEMBER',
  'SUBSYSTEM',
  'SERVER',
  'GLOBALGROUP',
  'LOCALGROUP',
  'SERVICE',
];
