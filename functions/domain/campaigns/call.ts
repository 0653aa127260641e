/**
 * What clustering reads of a captured call or a traceback: the numbers, the time, what was said,
 * who signed it, and the customer an originating provider named for it.
 */
export interface CampaignCall {
  /** The traceback (or captured call) id. */
  id: string;
  callTime: string;
  callingNumber: string;
  calledNumber?: string;
  transcript?: string;
  /** The verified STIR/SHAKEN signer of the call. */
  signer?: { spc?: string; certificateSha256?: string; origid?: string; attest?: string };
  /** The customer the originating provider named in its answer. */
  originator?: { providerId: string; customerName: string };
}
