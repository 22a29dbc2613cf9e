import { startService } from '@glotixz/common/service';
import { expirationService } from './service';

void startService(expirationService, process.env);
