package io.bootcluster.actuate;

import java.util.Map;

import io.bootcluster.internal.ipc.Action;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

class ClusterEndpointTests {

	private final MasterClient master = mock(MasterClient.class);

	private final ClusterEndpoint endpoint = new ClusterEndpoint(this.master);

	@Test
	void answersServiceUnavailableWithTheReasonWhenTheMasterDoesNotAnswer() {
		given(this.master.status()).willThrow(new IllegalStateException("The master did not answer 'status' within 5s"));
		WebEndpointResponse<Object> response = this.endpoint.cluster();
		assertThat(response.getStatus()).isEqualTo(503);
		assertThat(response.getBody()).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
			.extractingByKey("error")
			.asString()
			.contains("did not answer 'status'");
	}

	@Test
	void answersServiceUnavailableRatherThanAServerErrorWhenTheStarterMeetsAMissingMethod() {
		given(this.master.status()).willThrow(new NoSuchMethodError("JsonMapper.treeToValue"));
		WebEndpointResponse<Object> response = this.endpoint.cluster();
		assertThat(response.getStatus()).isEqualTo(503);
		assertThat(response.getBody()).isEqualTo(Map.of("error",
				"Could not ask the cluster's master: java.lang.NoSuchMethodError: JsonMapper.treeToValue"));
	}

	@Test
	void commandsAnswerServiceUnavailableWhenTheMasterDoesNotAnswer() {
		given(this.master.ask(any(Action.class), any())).willThrow(new IllegalStateException("no master"));
		assertThat(this.endpoint.command("restart", null).getStatus()).isEqualTo(503);
		assertThat(this.endpoint.stopWorker(3).getStatus()).isEqualTo(503);
	}

}
